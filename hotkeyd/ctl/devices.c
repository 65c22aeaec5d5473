/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-util.h"
#include "hotkeyctl.h"
#include "log.h"

/* The members of one Devices entry, a(sss), in order; also the columns. */
static const char *const device_fields[] = { "Node", "Name", "Seat" };
/* The members of one DeviceKeys entry, a(ssss), in order. */
static const char *const key_fields[] = { "Node", "Key", "Holds", "Reason" };

static const char *str(sd_json_variant *v, const char *key) {
        return strempty(sd_json_variant_string(sd_json_variant_by_key(v, key)));
}

static const char *cell(sd_json_variant *devices, size_t row, size_t column) {
        return str(sd_json_variant_by_index(devices, row), device_fields[column]);
}

/* "yes (keyboard)", "no (ACPI button: ...)", "not seen yet". */
static void print_holds(sd_json_variant *key) {
        const char *holds = str(key, "Holds"), *reason = str(key, "Reason");

        if (streq(holds, "unknown"))
                printf("not seen yet");
        else
                printf("%s", holds);
        if (*reason)
                printf(" (%s)", reason);
        printf("\n");
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
        for (size_t i = 0; i < n; i++) {
                sd_json_variant *keys = sd_json_variant_by_key(sd_json_variant_by_index(devices, i), "Keys");

                printf("%-*s  %-*s  %s\n", width[0], cell(devices, i, 0), width[1], cell(devices, i, 1),
                       cell(devices, i, 2));
                /* Under the name: each trigger key and whether it can be held. */
                for (size_t k = 0; k < sd_json_variant_elements(keys); k++) {
                        sd_json_variant *key = sd_json_variant_by_index(keys, k);
                        printf("%-*s  %s holds: ", width[0], "", str(key, "Key"));
                        print_holds(key);
                }
        }
        printf("\n%zu device%s watched.\n", n, n == 1 ? "" : "s");
}

/* The [{Key, Holds, Reason}] of one device d, from DeviceKeys. */
static int device_keys(sd_json_variant *d, sd_json_variant *keys, sd_json_variant **ret) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *list = NULL;
        int r;

        r = sd_json_variant_new_array(&list, NULL, 0);
        if (r < 0)
                return r;

        for (size_t k = 0; k < sd_json_variant_elements(keys); k++) {
                sd_json_variant *key = sd_json_variant_by_index(keys, k);

                if (!streq(str(key, "Node"), str(d, "Node")))
                        continue;
                r = sd_json_variant_append_arraybo(
                        &list, SD_JSON_BUILD_PAIR_STRING("Key", str(key, "Key")),
                        SD_JSON_BUILD_PAIR_STRING("Holds", str(key, "Holds")),
                        SD_JSON_BUILD_PAIR_STRING("Reason", str(key, "Reason")));
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(list);
        return 0;
}

/* Devices as objects, each with "Keys": [{Key, Holds, Reason}] from DeviceKeys. */
static int devices_with_keys(sd_json_variant *devices, sd_json_variant *keys, sd_json_variant **ret) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *out = NULL;
        int r;

        r = sd_json_variant_new_array(&out, NULL, 0);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sd_json_variant_elements(devices); i++) {
                _cleanup_(sd_json_variant_unrefp) sd_json_variant *device = NULL, *list = NULL;
                sd_json_variant *d = sd_json_variant_by_index(devices, i);

                r = device_keys(d, keys, &list);
                if (r < 0)
                        return r;

                r = sd_json_buildo(&device, SD_JSON_BUILD_PAIR_STRING("Node", str(d, "Node")),
                                   SD_JSON_BUILD_PAIR_STRING("Name", str(d, "Name")),
                                   SD_JSON_BUILD_PAIR_STRING("Seat", str(d, "Seat")),
                                   SD_JSON_BUILD_PAIR_VARIANT("Keys", list));
                if (r < 0)
                        return r;

                r = sd_json_variant_append_array(&out, device);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int verb_devices(void) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *all = NULL, *devices = NULL, *keys = NULL,
                                                           *merged = NULL;
        int r;

        r = ctl_read_properties(&all);
        if (r != 0)
                return r;

        r = json_structs_to_objects(sd_json_variant_by_key(all, "Devices"), device_fields,
                                    ELEMENTSOF(device_fields), &devices);
        if (r < 0) {
                log_error_errno(r, "Failed to read hotkeyd's Devices: %m");
                return CTL_EXIT_FAILURE;
        }

        r = json_structs_to_objects(sd_json_variant_by_key(all, "DeviceKeys"), key_fields,
                                    ELEMENTSOF(key_fields), &keys);
        if (r < 0) {
                log_error_errno(r, "Failed to read hotkeyd's DeviceKeys: %m");
                return CTL_EXIT_FAILURE;
        }

        r = devices_with_keys(devices, keys, &merged);
        if (r < 0) {
                log_error_errno(r, "Failed to match hotkeyd's devices with their keys: %m");
                return CTL_EXIT_FAILURE;
        }

        if (arg_json)
                sd_json_variant_dump(merged, SD_JSON_FORMAT_NEWLINE | SD_JSON_FORMAT_PRETTY_AUTO, stdout, NULL);
        else
                print_table(merged);
        return CTL_EXIT_SUCCESS;
}
