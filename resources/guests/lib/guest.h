/*
 * Everything a bundled guest includes: CPU wrappers, the serial driver, printf, the
 * runtime and multiboot access. Each guest defines `int kmain(uint32_t magic, uint32_t
 * info)`; boot.S calls it in 64-bit mode and exits via port 0xF4 with its return value.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "format.h"
#include "multiboot.h"
#include "runtime.h"
#include "serial.h"

int kmain(uint32_t magic, uint32_t info);

#endif
