/*
 * Shared declarations of hvshell, the interactive guest: its commands.
 */
#ifndef HVSHELL_H
#define HVSHELL_H

#include "../lib/guest.h"

void cmd_hv(void);
int parse_u32(const char *s, uint32_t *out);
void cmd_hypercall(int argc, char **argv);
void cmd_timer(int argc, char **argv);
void cmd_msg(int argc, char **argv);
void cmd_event(int argc, char **argv);
void cmd_dbg(int argc, char **argv);
void cmd_stats(void);
void cmd_uptime(void);

#endif
