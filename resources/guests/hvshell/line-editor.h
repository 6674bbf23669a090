/*
 * A serial line editor for hvshell: printable characters, Backspace/DEL, Ctrl-U (erase
 * line), Ctrl-C (cancel), CR or LF (or CR LF) to finish; ANSI escape sequences (arrow
 * keys) are swallowed.
 */
#ifndef HVSHELL_LINE_EDITOR_H
#define HVSHELL_LINE_EDITOR_H

#include <stddef.h>

/* Reads one line into `buf` (NUL-terminated); returns its length, or -1 on Ctrl-C. */
int read_line(char *buf, size_t size);

#endif
