/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "gesture-line.h"
#include "keys.h"
#include "macro.h"

char *gesture_event_format_line(const GestureEvent *e, char *buf, size_t size) {
        const char *name = e->trigger->name;

        switch (e->type) {
        case GESTURE_HOLD_START:
                snprintf(buf, size, "hold-start trigger=%s seat=%s device=%s", name, e->seat, strna(e->device));
                break;
        case GESTURE_HOLD_PROGRESS:
                snprintf(buf, size, "hold-progress trigger=%s elapsed_ms=%llu total_ms=%llu", name,
                         (unsigned long long) (e->elapsed_usec / USEC_PER_MSEC),
                         (unsigned long long) (e->total_usec / USEC_PER_MSEC));
                break;
        case GESTURE_HOLD_CANCEL:
                snprintf(buf, size, "hold-cancel trigger=%s elapsed_ms=%llu reason=%s", name,
                         (unsigned long long) (e->elapsed_usec / USEC_PER_MSEC),
                         strna(gesture_cancel_reason_to_string(e->reason)));
                break;
        case GESTURE_TRIGGER:
                if (e->trigger->kind == TRIGGER_PRESSES)
                        snprintf(buf, size, "trigger trigger=%s seat=%s presses=%u", name, e->seat, e->presses);
                else
                        snprintf(buf, size, "trigger trigger=%s seat=%s held_ms=%llu", name, e->seat,
                                 (unsigned long long) (e->elapsed_usec / USEC_PER_MSEC));
                break;
        default:
                snprintf(buf, size, "unknown");
        }
        return buf;
}

char *short_press_format_line(const char *seat, unsigned code, char *buf, size_t size) {
        snprintf(buf, size, "short-press key=%s seat=%s", strna(key_to_name(code)), seat);
        return buf;
}
