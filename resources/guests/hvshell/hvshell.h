/*
 * Shared declarations of hvshell, the interactive guest: its commands.
 */
#ifndef HVSHELL_H
#define HVSHELL_H

#include "../lib/guest.h"

void cmd_hv(void);

#endif
