/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* io.systemd.FactoryReset's answers decide whether hotkeyd lets anybody ask
 * for a factory reset.  Whatever the service (or something bound to its
 * socket) writes, the reply handling must not crash, and only a well-formed
 * reply that says "supported" may ever yield "supported".
 *
 * The input is what the service wrote, as on the wire: the reply to
 * CanRequestFactoryReset() and the reply to GetFactoryResetMode(), each
 * ended by a NUL byte, then optionally factory-reset.target's LoadState
 * (systemd1's answer; "loaded" when the input ends after the replies).  A
 * reply that is missing means the service closed the connection.
 *
 * Each message first goes through what sd-varlink's client does with it
 * (below, reply_from_wire()), then through the daemon's own code
 * (core/support.c: support_answers_add_*() and support_evaluate()), which
 * daemon/support-check.c calls from its reply callbacks and nothing else. */

#include <systemd/sd-varlink.h>

#include "fuzz.h"
#include "macro.h"
#include "support.h"

typedef struct Reply {
        sd_json_variant *message;    /* the parsed message, if it was JSON */
        sd_json_variant *parameters; /* what the reply callback gets */
        const char *error_id;        /* what the reply callback gets */
} Reply;

static void reply_done(Reply *r) {
        sd_json_variant_unref(r->message);
        sd_json_variant_unref(r->parameters);
}

/* What sd-varlink's client passes to the reply callback for one message
 * (varlink_dispatch_reply() in systemd 262): the message must be a JSON
 * object with no keys but "error" (a string), "parameters" (an object or
 * null) and "continues" (a boolean; true is wrong for a call without
 * "more"), each at most once; parameters that are absent or null become
 * an empty object.  Anything else fails the connection with a local
 * io.systemd.Varlink protocol error, without parameters; no message at all
 * is a disconnect. */
static void reply_from_wire(const char *text, Reply *ret) {
        sd_json_variant *error = NULL, *parameters = NULL, *continues = NULL;
        size_t n;

        *ret = (Reply) {};
        if (!text) {
                ret->error_id = SD_VARLINK_ERROR_DISCONNECTED;
                return;
        }
        ret->error_id = SD_VARLINK_ERROR_PROTOCOL;
        if (sd_json_parse(text, 0, &ret->message, NULL, NULL) < 0 || !sd_json_variant_is_object(ret->message))
                return;

        n = sd_json_variant_elements(ret->message);
        for (size_t i = 0; i + 1 < n; i += 2) {
                const char *k = sd_json_variant_string(sd_json_variant_by_index(ret->message, i));
                sd_json_variant *v = sd_json_variant_by_index(ret->message, i + 1);

                if (streq(k, "error")) {
                        if (error || !sd_json_variant_is_string(v))
                                return;
                        error = v;
                } else if (streq(k, "parameters")) {
                        if (parameters || (!sd_json_variant_is_object(v) && !sd_json_variant_is_null(v)))
                                return;
                        parameters = v;
                } else if (streq(k, "continues")) {
                        if (continues || !sd_json_variant_is_boolean(v) || sd_json_variant_boolean(v))
                                return;
                        continues = v;
                } else
                        return;
        }

        if (parameters && sd_json_variant_is_object(parameters))
                ret->parameters = sd_json_variant_ref(parameters);
        else if (sd_json_variant_new_object(&ret->parameters, NULL, 0) < 0)
                abort();
        ret->error_id = error ? sd_json_variant_string(error) : NULL;
}

/* The model: exactly one member called key, and it is what accept() wants. */
static bool one_member(sd_json_variant *object, const char *key, bool (*accept)(sd_json_variant *v)) {
        size_t n = sd_json_variant_elements(object), found = 0;
        bool ok = false;

        for (size_t i = 0; i + 1 < n; i += 2)
                if (streq(sd_json_variant_string(sd_json_variant_by_index(object, i)), key)) {
                        found++;
                        ok = accept(sd_json_variant_by_index(object, i + 1));
                }
        return found == 1 && ok;
}

static bool is_true(sd_json_variant *v) {
        return sd_json_variant_is_boolean(v) && sd_json_variant_boolean(v);
}

/* The modes in which systemd takes a new request (not "unsupported", not
 * "pending", not "on": a reset running right now). */
static bool is_requestable_mode(sd_json_variant *v) {
        const char *s = sd_json_variant_is_string(v) ? sd_json_variant_string(v) : NULL;
        return s && (streq(s, "unspecified") || streq(s, "off") || streq(s, "complete"));
}

/* The daemon's code, with the replies arriving in either order (they come
 * over two connections, so both orders happen). */
static SupportVerdict evaluate(const Reply *can_request, const Reply *mode, const char *load_state,
                               bool mode_first) {
        SupportAnswers a;
        int r;

        support_answers_init(&a);
        for (unsigned i = 0; i < 2; i++) {
                const Reply *reply = (i == 0) != mode_first ? can_request : mode;

                r = reply == can_request ? support_answers_add_can_request(&a, reply->parameters, reply->error_id)
                                         : support_answers_add_mode(&a, reply->parameters, reply->error_id);
                /* An error reply is never an answer, and whatever was not
                 * an answer is recorded as a failure. */
                if (r > 0 || (reply->error_id && r >= 0) || (r < 0 && a.varlink_error >= 0))
                        abort();
        }
        a.target_load_state = load_state;

        SupportVerdict v = support_evaluate(&a);
        if (v < 0 || v >= _SUPPORT_VERDICT_MAX)
                abort();
        /* Every "no" has a reason in words, "yes" has none. */
        if ((v == SUPPORT_YES) != !support_verdict_reason_to_string(v))
                abort();
        /* The service answered: "systemd is too old" would be a lie. */
        if (v == SUPPORT_NO_SERVICE)
                abort();
        return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = NULL;
        const char *segment[3] = {};
        Reply can_request, mode;
        size_t n = 0;

        /* One NUL-terminated copy, cut into its NUL-terminated segments. */
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        for (size_t start = 0; n < ELEMENTSOF(segment) && start < size;) {
                segment[n++] = text + start;
                start += strlen(text + start) + 1;
        }

        reply_from_wire(segment[0], &can_request);
        reply_from_wire(segment[1], &mode);
        const char *load_state = n > 2 ? segment[2] : "loaded";

        SupportVerdict v = evaluate(&can_request, &mode, load_state, false);
        if (evaluate(&can_request, &mode, load_state, true) != v)
                abort();

        bool expected = !can_request.error_id && one_member(can_request.parameters, "supported", is_true) &&
                        !mode.error_id && one_member(mode.parameters, "mode", is_requestable_mode) &&
                        streq(load_state, "loaded");
        if ((v == SUPPORT_YES) != expected) {
                fprintf(stderr, "verdict %d, but the model says %s\n", v, expected ? "supported" : "not supported");
                abort();
        }

        reply_done(&can_request);
        reply_done(&mode);
        return 0;
}
