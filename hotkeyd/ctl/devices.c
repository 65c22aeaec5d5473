/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-util.h"
#include "hotkeyctl.h"
#include "log.h"

/* The members of one Devices entry, a(sss), in order; also the columns. */
static const char *const device_fields[] = { "Node", "Name", "Seat" };

static const char *cell(sd_json_variant *devices, size_t row, size_t column) {
        return strempty(sd_json_variant_string(
                sd_json_variant_by_key(sd_json_variant_by_index(devices, row), device_fields[column])));
}

static void print_table(sd_json_variant *devices) {
        size_t n = sd_json_variant_elements(devices);
        int width[ELEMENTSOF(device_fields)];

        for (size_t c = 0; c < ELEMENTSOF(device_fields); c++) {
                width[c] = (int) strlen(device_fields[c]);
                for (size_t i = 0; i < n; i++)
                        width[c] = MAX(width[c], (int) strlen(cell(devices, i, c)));
        }

        printf("%-*s  %-*s  %s\n", width[0], "NODE", width[1], "NAME", "SEAT");
        for (size_t i = 0; i < n; i++)
                printf("%-*s  %-*s  %s\n", width[0], cell(devices, i, 0), width[1], cell(devices, i, 1),
                       cell(devices, i, 2));
        printf("\n%zu device%s watched.\n", n, n == 1 ? "" : "s");
}

int verb_devices(void) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *all = NULL, *devices = NULL;
        int r;

        r = ctl_read_properties(&all);
        if (r != 0)
                return r;

        r = json_structs_to_objects(sd_json_variant_by_key(all, "Devices"), device_fields,
                                    ELEMENTSOF(device_fields), &devices);
        if (r < 0) {
                log_error_errno(r, "Cannot make sense of hotkeyd's device list: %m");
                return CTL_EXIT_FAILURE;
        }

        if (arg_json)
                sd_json_variant_dump(devices, SD_JSON_FORMAT_NEWLINE | SD_JSON_FORMAT_PRETTY_AUTO, stdout, NULL);
        else
                print_table(devices);
        return CTL_EXIT_SUCCESS;
}
