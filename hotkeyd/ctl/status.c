/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-util.h"
#include "hotkeyctl.h"
#include "log.h"
#include "reset-record.h"
#include "time-util.h"

/* The members of one Triggers entry, a(sasstuts), in order. */
static const char *const trigger_fields[] = {
        "Name", "Keys", "Kind", "HoldUSec", "Presses", "WithinUSec", "Seat",
};

/* The members of one TriggerAvailability entry, a(ssbs), in order. */
static const char *const availability_fields[] = { "Trigger", "Seat", "CanFire", "Reason" };

/* The members of one ErasedPartitions entry, a(ssssts), in order. */
static const char *const partition_fields[] = {
        "Definition", "Type", "Label", "Device", "Size", "MountPoint",
};

/* The members of one ResetPlugins entry, a(ss), in order. */
static const char *const plugin_fields[] = {
        "Unit", "Description",
};

/* The members of one LastReset partition, (sss), in order. */
static const char *const last_reset_partition_fields[] = {
        "Name", "MountPoint", "State",
};

/* LastReset, (ttsa(sss)), as an object; null when no reset was checked. */
static int last_reset_to_json(sd_json_variant *v, sd_json_variant **ret) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *partitions = NULL;
        int r;

        if (sd_json_variant_elements(v) != 4 || isempty(sd_json_variant_string(sd_json_variant_by_index(v, 2))))
                return sd_json_variant_new_null(ret);
        r = json_structs_to_objects(sd_json_variant_by_index(v, 3), last_reset_partition_fields,
                                    ELEMENTSOF(last_reset_partition_fields), &partitions);
        if (r < 0)
                return r;
        return sd_json_buildo(ret,
                              SD_JSON_BUILD_PAIR_VARIANT("RequestedUSec", sd_json_variant_by_index(v, 0)),
                              SD_JSON_BUILD_PAIR_VARIANT("CheckedUSec", sd_json_variant_by_index(v, 1)),
                              SD_JSON_BUILD_PAIR_VARIANT("Verdict", sd_json_variant_by_index(v, 2)),
                              SD_JSON_BUILD_PAIR_VARIANT("Partitions", partitions));
}

/* What `status --json` prints: the properties, with the triggers as objects
 * and the devices counted (`devices` lists them). */
static int status_to_json(sd_json_variant *all, sd_json_variant **ret) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *triggers = NULL, *partitions = NULL, *plugins = NULL,
                                                           *availability = NULL, *last_reset = NULL;
        int r;

        r = last_reset_to_json(sd_json_variant_by_key(all, "LastReset"), &last_reset);
        if (r < 0)
                return r;

        r = json_structs_to_objects(sd_json_variant_by_key(all, "Triggers"), trigger_fields,
                                    ELEMENTSOF(trigger_fields), &triggers);
        if (r < 0)
                return r;

        r = json_structs_to_objects(sd_json_variant_by_key(all, "TriggerAvailability"), availability_fields,
                                    ELEMENTSOF(availability_fields), &availability);
        if (r < 0)
                return r;

        r = json_structs_to_objects(sd_json_variant_by_key(all, "ErasedPartitions"), partition_fields,
                                    ELEMENTSOF(partition_fields), &partitions);
        if (r < 0)
                return r;

        r = json_structs_to_objects(sd_json_variant_by_key(all, "ResetPlugins"), plugin_fields,
                                    ELEMENTSOF(plugin_fields), &plugins);
        if (r < 0)
                return r;

        return sd_json_buildo(ret,
                              SD_JSON_BUILD_PAIR_VARIANT("Supported", sd_json_variant_by_key(all, "Supported")),
                              SD_JSON_BUILD_PAIR_VARIANT("UnsupportedReason",
                                                         sd_json_variant_by_key(all, "UnsupportedReason")),
                              SD_JSON_BUILD_PAIR_VARIANT("Mode", sd_json_variant_by_key(all, "Mode")),
                              SD_JSON_BUILD_PAIR_VARIANT("DaemonMode", sd_json_variant_by_key(all, "DaemonMode")),
                              SD_JSON_BUILD_PAIR_VARIANT("Triggers", triggers),
                              SD_JSON_BUILD_PAIR_VARIANT("TriggerAvailability", availability),
                              SD_JSON_BUILD_PAIR_UNSIGNED("Devices", sd_json_variant_elements(
                                                                             sd_json_variant_by_key(all, "Devices"))),
                              SD_JSON_BUILD_PAIR_VARIANT("Tpm", sd_json_variant_by_key(all, "Tpm")),
                              SD_JSON_BUILD_PAIR_VARIANT("ErasedPartitions", partitions),
                              SD_JSON_BUILD_PAIR_VARIANT("ClearsTpm", sd_json_variant_by_key(all, "ClearsTpm")),
                              SD_JSON_BUILD_PAIR_VARIANT("ResetPlugins", plugins),
                              SD_JSON_BUILD_PAIR_VARIANT("EraseProblems",
                                                         sd_json_variant_by_key(all, "EraseProblems")),
                              SD_JSON_BUILD_PAIR_VARIANT("LastReset", last_reset));
}

static const char *json_str(sd_json_variant *v, const char *key) {
        return strempty(sd_json_variant_string(sd_json_variant_by_key(v, key)));
}

static const char *json_yes_no(sd_json_variant *v, const char *key) {
        return sd_json_variant_boolean(sd_json_variant_by_key(v, key)) ? "yes" : "no";
}

static uint64_t json_uint(sd_json_variant *v, const char *key) {
        return sd_json_variant_unsigned(sd_json_variant_by_key(v, key));
}

#define LABEL "%14s "

/* Under the trigger: per seat whether it can fire there, and why. */
static void print_availability(sd_json_variant *t, sd_json_variant *availability) {
        for (size_t i = 0; i < sd_json_variant_elements(availability); i++) {
                sd_json_variant *a = sd_json_variant_by_index(availability, i);
                const char *seat = json_str(a, "Seat");

                if (!streq(json_str(a, "Trigger"), json_str(t, "Name")))
                        continue;
                if (*seat)
                        printf(LABEL "  %s: %s: %s\n", "", seat,
                               sd_json_variant_boolean(sd_json_variant_by_key(a, "CanFire")) ? "can fire"
                                                                                             : "cannot fire",
                               json_str(a, "Reason"));
                else
                        printf(LABEL "  cannot fire anywhere: %s\n", "", json_str(a, "Reason"));
        }
}

static void print_trigger(sd_json_variant *t, bool first) {
        sd_json_variant *keys = sd_json_variant_by_key(t, "Keys");
        char span[TIMESPAN_MAX];
        const char *seat = json_str(t, "Seat");

        printf(LABEL "%s: ", first ? "Triggers:" : "", json_str(t, "Name"));
        for (size_t k = 0; k < sd_json_variant_elements(keys); k++)
                printf("%s%s", k > 0 ? "+" : "", strempty(sd_json_variant_string(sd_json_variant_by_index(keys, k))));
        if (streq(json_str(t, "Kind"), "presses"))
                printf(" pressed %" PRIu64 " times within %s", json_uint(t, "Presses"),
                       format_timespan(span, json_uint(t, "WithinUSec")));
        else
                printf(" held for %s", format_timespan(span, json_uint(t, "HoldUSec")));
        printf(", %s%s\n", *seat ? "seat " : "any seat", seat);
}

static void print_tpm(sd_json_variant *tpm) {
        const char *error = json_str(tpm, "Error");

        if (!sd_json_variant_boolean(sd_json_variant_by_key(tpm, "Present")))
                printf(LABEL "none\n", "TPM:");
        else {
                printf(LABEL "%s, firmware %s\n", "TPM:", json_str(tpm, "Manufacturer"),
                       json_str(tpm, "FirmwareVersion"));
                printf(LABEL "clear disabled: %s, in lockout: %s, firmware offers clear: %s\n", "",
                       json_yes_no(tpm, "DisableClear"), json_yes_no(tpm, "InLockout"),
                       json_yes_no(tpm, "FirmwareOffersClear"));
        }
        if (*error)
                printf(LABEL "error: %s\n", "", error);
}

/* Sizes as systemd prints them: 1024-based, one decimal where it helps. */
static const char *format_size(char buf[static 32], uint64_t bytes) {
        static const char units[] = "BKMGTPE";
        size_t u = 0;
        uint64_t scale = 1;

        while (units[u + 1] && bytes / scale >= 1024) {
                scale *= 1024;
                u++;
        }
        if (u == 0 || bytes % scale == 0 || bytes / scale >= 100)
                snprintf(buf, 32, "%" PRIu64 "%c", bytes / scale, units[u]);
        else
                snprintf(buf, 32, "%" PRIu64 ".%" PRIu64 "%c", bytes / scale, (bytes % scale) * 10 / scale, units[u]);
        return buf;
}

static void print_erase(sd_json_variant *s) {
        sd_json_variant *partitions = sd_json_variant_by_key(s, "ErasedPartitions");
        sd_json_variant *problems = sd_json_variant_by_key(s, "EraseProblems");
        sd_json_variant *plugins = sd_json_variant_by_key(s, "ResetPlugins");
        bool clears_tpm = sd_json_variant_boolean(sd_json_variant_by_key(s, "ClearsTpm"));
        size_t n = sd_json_variant_elements(partitions), n_plugins = sd_json_variant_elements(plugins);
        char size[32];

        if (n == 0 && !clears_tpm && n_plugins == 0)
                printf(LABEL "nothing (no partition is defined with FactoryReset=yes)\n", "Will erase:");
        for (size_t i = 0; i < n; i++) {
                sd_json_variant *p = sd_json_variant_by_index(partitions, i);
                const char *label = json_str(p, "Label"), *device = json_str(p, "Device");
                const char *mount_point = json_str(p, "MountPoint");

                printf(LABEL "%s partition%s%s%s", i == 0 ? "Will erase:" : "", json_str(p, "Type"),
                       *label ? " \"" : "", label, *label ? "\"" : "");
                if (*device)
                        printf(" on %s (%s)%s%s\n", device, format_size(size, json_uint(p, "Size")),
                               *mount_point ? ", mounted on " : "", mount_point);
                else
                        printf(", not present now\n");
                printf(LABEL "  defined in %s\n", "", json_str(p, "Definition"));
        }
        if (clears_tpm)
                printf(LABEL "the TPM's keys (the firmware is asked to clear the TPM)\n", n == 0 ? "Will erase:" : "");
        /* What a plug-in resets is its own business: its name and Description= say it. */
        for (size_t i = 0; i < n_plugins; i++) {
                sd_json_variant *p = sd_json_variant_by_index(plugins, i);
                const char *unit = json_str(p, "Unit"), *description = json_str(p, "Description");

                printf(LABEL "what %s resets", i == 0 && n == 0 && !clears_tpm ? "Will erase:" : "", unit);
                if (*description && !streq(description, unit))
                        printf(" (%s)", description);
                printf("\n");
        }
        for (size_t i = 0; i < sd_json_variant_elements(problems); i++)
                printf(LABEL "%s\n", i == 0 ? "Problems:" : "",
                       strempty(sd_json_variant_string(sd_json_variant_by_index(problems, i))));
}

/* "Last reset: DATE: complete, /var recreated", or loudly "DID NOT ERASE
 * /var (partition UUID unchanged)"; nothing when no reset was checked. */
static void print_last_reset(sd_json_variant *s) {
        sd_json_variant *lr = sd_json_variant_by_key(s, "LastReset");
        sd_json_variant *partitions = sd_json_variant_by_key(lr, "Partitions");
        _cleanup_(reset_outcome_done) ResetOutcome o = {};
        _cleanup_free_ char *summary = NULL;
        char date[64] = "?";
        struct tm tm;
        int r = 0;

        if (!lr || !sd_json_variant_is_object(lr))
                return;
        time_t t = (time_t) (json_uint(lr, "RequestedUSec") / USEC_PER_SEC);
        if (localtime_r(&t, &tm))
                (void) strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", &tm);

        o.verdict = reset_verdict_from_string(json_str(lr, "Verdict"));
        size_t n = sd_json_variant_elements(partitions);
        o.partitions = n > 0 ? calloc(n, sizeof *o.partitions) : NULL;
        if (n > 0 && !o.partitions)
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                sd_json_variant *p = sd_json_variant_by_index(partitions, i);
                ResetOutcomePartition *op = &o.partitions[o.n_partitions++];
                op->name = strdup(json_str(p, "Name"));
                op->mount_point = *json_str(p, "MountPoint") ? strdup(json_str(p, "MountPoint")) : NULL;
                op->state = reset_partition_state_from_string(json_str(p, "State"));
                if (!op->name || (*json_str(p, "MountPoint") && !op->mount_point))
                        r = -ENOMEM;
        }
        if (r >= 0 && o.verdict >= 0)
                r = reset_outcome_summary(&o, &summary);
        if (r >= 0 && summary)
                printf(LABEL "%s: %s\n", "Last reset:", date, summary);
        else
                /* A verdict this hotkeyctl does not know: as the daemon says it. */
                printf(LABEL "%s: %s\n", "Last reset:", date, json_str(lr, "Verdict"));
}

static void print_status(sd_json_variant *s) {
        sd_json_variant *triggers = sd_json_variant_by_key(s, "Triggers");
        size_t n_triggers = sd_json_variant_elements(triggers);

        printf(LABEL "%s\n", "Supported:", json_yes_no(s, "Supported"));
        if (*json_str(s, "UnsupportedReason"))
                printf(LABEL "%s\n", "Reason:", json_str(s, "UnsupportedReason"));
        printf(LABEL "%s\n", "Mode:", json_str(s, "Mode"));
        printf(LABEL "%s\n", "DaemonMode:", json_str(s, "DaemonMode"));
        if (n_triggers == 0)
                printf(LABEL "none\n", "Triggers:");
        for (size_t i = 0; i < n_triggers; i++) {
                print_trigger(sd_json_variant_by_index(triggers, i), i == 0);
                print_availability(sd_json_variant_by_index(triggers, i),
                                   sd_json_variant_by_key(s, "TriggerAvailability"));
        }
        printf(LABEL "%" PRIu64 "\n", "Devices:", json_uint(s, "Devices"));
        print_tpm(sd_json_variant_by_key(s, "Tpm"));
        print_erase(s);
        print_last_reset(s);
}

int verb_status(void) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *all = NULL, *status = NULL;
        int r;

        r = ctl_read_properties(&all);
        if (r != 0)
                return r;

        r = status_to_json(all, &status);
        if (r < 0) {
                log_error_errno(r, "Cannot make sense of hotkeyd's properties: %m");
                return CTL_EXIT_FAILURE;
        }

        if (arg_json)
                sd_json_variant_dump(status, SD_JSON_FORMAT_NEWLINE | SD_JSON_FORMAT_PRETTY_AUTO, stdout, NULL);
        else
                print_status(status);
        return CTL_EXIT_SUCCESS;
}
