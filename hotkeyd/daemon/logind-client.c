/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>

#include "keys.h"
#include "log.h"
#include "logind-client.h"
#include "messages.h"
#include "short-press.h"

#define LOGIND_SERVICE "org.freedesktop.login1"
#define LOGIND_PATH "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"

/* logind's sd-login flag for the *WithFlags methods: check block
 * inhibitors even though the caller is root (hotkeyd is). */
#define SD_LOGIND_ROOT_CHECK_INHIBITORS (UINT64_C(1) << 0)

/* What logind's Handle*Key= settings mean as a login1 call.  Actions
 * without a method here are not performed on logind's behalf (see
 * press_call_on_setting()). */
typedef enum MethodArgs {
        ARGS_NONE,
        ARGS_FLAGS, /* t: SD_LOGIND_ROOT_CHECK_INHIBITORS, unless *KeyIgnoreInhibited=yes */
} MethodArgs;

/* lock: the high-level inhibitor that blocks the action, as in logind's
 * own key handling.  The *WithFlags methods never ask for authentication:
 * that would take the message flag ALLOW_INTERACTIVE_AUTHORIZATION, which
 * hotkeyd does not set. */
static const struct {
        const char *action;
        const char *method; /* NULL: nothing to do */
        MethodArgs args;
        const char *lock;
} handle_action_table[] = {
        { "ignore", NULL, ARGS_NONE, NULL },
        { "poweroff", "PowerOffWithFlags", ARGS_FLAGS, "shutdown" },
        { "reboot", "RebootWithFlags", ARGS_FLAGS, "shutdown" },
        { "halt", "HaltWithFlags", ARGS_FLAGS, "shutdown" },
        { "suspend", "SuspendWithFlags", ARGS_FLAGS, "sleep" },
        { "hibernate", "HibernateWithFlags", ARGS_FLAGS, "sleep" },
        { "hybrid-sleep", "HybridSleepWithFlags", ARGS_FLAGS, "sleep" },
        { "suspend-then-hibernate", "SuspendThenHibernateWithFlags", ARGS_FLAGS, "sleep" },
        { "sleep", "Sleep", ARGS_FLAGS, "sleep" },
        { "lock", "LockSessions", ARGS_NONE, NULL },
};

/* The locks an action may need, for what ListInhibitors() tells. */
typedef enum ActionLock {
        ACTION_LOCK_SHUTDOWN,
        ACTION_LOCK_SLEEP,
        _ACTION_LOCK_MAX,
} ActionLock;

static const char *const action_lock_table[_ACTION_LOCK_MAX] = {
        [ACTION_LOCK_SHUTDOWN] = "shutdown",
        [ACTION_LOCK_SLEEP] = "sleep",
};

typedef struct Inhibitor {
        LogindKey key;
        int fd;            /* held while >= 0 */
        sd_bus_slot *call; /* Inhibit() outstanding */
} Inhibitor;

typedef struct PressCall PressCall;

struct Logind {
        sd_bus *bus;
        Inhibitor inhibitors[_LOGIND_KEY_MAX];
        PressCall *calls;
};

/* One short press, from the inhibitor check to logind's answer. */
struct PressCall {
        Logind *logind;
        PressCall *prev, *next;
        LogindKey key;
        unsigned code;
        char *seat;
        size_t action_index; /* in handle_action_table, once logind's setting is known */
        const char *action;  /* logind's setting, once known */
        /* Who holds a block inhibitor of each lock, from ListInhibitors(): "who (pid N, uid U): why" */
        char *blocked_by[_ACTION_LOCK_MAX];
        sd_bus_slot *slot;
};

static PressCall *press_call_free(PressCall *c) {
        if (!c)
                return NULL;
        if (c->logind)
                LIST_UNLINK(c->logind->calls, c);
        sd_bus_slot_unref(c->slot);
        free(c->seat);
        for (ActionLock l = 0; l < _ACTION_LOCK_MAX; l++)
                free(c->blocked_by[l]);
        free(c);
        return NULL;
}

DEFINE_POINTER_CLEANUP(PressCall, press_call_free);

/* The journal entry for the outcome of a short press: key, seat, logind's
 * setting, who the press was left to, if anyone, and who blocked the
 * action, if anyone. */
_printf_(5, 6) static void press_call_log(const PressCall *c, int level, const char *left_to, const char *blocked_by,
                                          const char *format, ...) {
        _cleanup_free_ char *message = NULL;
        va_list ap;
        int k;

        assert(c);
        assert(format);

        va_start(ap, format);
        k = vasprintf(&message, format, ap);
        va_end(ap);
        if (k < 0) {
                log_oom();
                return;
        }

        log_struct(level,
                   LOG_MESSAGE("%s", message),
                   LOG_MESSAGE_ID(MESSAGE_ID_SHORT_PRESS),
                   "HOTKEYD_KEY=%s", strna(key_to_name(c->code)),
                   "HOTKEYD_SEAT=%s", c->seat,
                   LOG_FIELD_IF_SET("HOTKEYD_ACTION", c->action),
                   LOG_FIELD_IF_SET("HOTKEYD_LEFT_TO", left_to),
                   LOG_FIELD_IF_SET("HOTKEYD_BLOCKED_BY", blocked_by));
}

static int press_call_on_action_done(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(press_call_freep) PressCall *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e)
                log_warning("logind refused the short-press action %s of %s: %s", c->action,
                            strna(key_to_name(c->code)), e->message ?: e->name);
        return 0;
}

/* Calls logind's method for the action; takes c (freed when it cannot be
 * sent, else when logind answered). */
static void press_call_act(PressCall *p, uint64_t flags) {
        _cleanup_(press_call_freep) PressCall *c = p;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        const char *method = handle_action_table[c->action_index].method;
        const char *setting = logind_key_setting_to_string(c->key);
        int r;

        r = sd_bus_message_new_method_call(c->logind->bus, &call, LOGIND_SERVICE, LOGIND_PATH, LOGIND_MANAGER,
                                           method);
        if (r < 0) {
                log_warning_errno(r, "Failed to create logind's %s() call for the short press of %s, ignoring: %m",
                                  method, strna(key_to_name(c->code)));
                return;
        }

        if (handle_action_table[c->action_index].args == ARGS_FLAGS) {
                r = sd_bus_message_append(call, "t", flags);
                if (r < 0) {
                        log_warning_errno(r, "Failed to append the flags of logind's %s(), ignoring the short "
                                          "press of %s: %m", method, strna(key_to_name(c->code)));
                        return;
                }
        }

        r = sd_bus_call_async(c->logind->bus, &c->slot, call, press_call_on_action_done, c, 0);
        if (r < 0) {
                log_warning_errno(r, "Failed to call logind's %s() for the short press of %s, ignoring: %m", method,
                                  strna(key_to_name(c->code)));
                return;
        }

        press_call_log(c, LOG_NOTICE, NULL, NULL, "Short press of %s on %s: %s=%s, calling logind's %s().",
                       strna(key_to_name(c->code)), c->seat, setting, c->action, method);
        TAKE_PTR(c);
}

static int press_call_on_ignore_inhibited(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(press_call_freep) PressCall *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *setting = logind_key_ignore_inhibited_to_string(c->key);
        const char *lock = handle_action_table[c->action_index].lock;
        const char *blocked_by = NULL;
        int ignore = false, r;

        c->slot = sd_bus_slot_unref(c->slot);
        /* logind.conf's default is "no"; a logind that does not say is
         * taken to mean that. */
        if (e)
                log_debug("Failed to read logind's %s=, honouring the %s lock: %s", setting, lock,
                          e->message ?: e->name);
        else {
                r = sd_bus_message_read(reply, "v", "b", &ignore);
                if (r < 0) {
                        log_debug_errno(r, "Bad %s from logind, honouring the %s lock: %m", setting, lock);
                        ignore = false;
                }
        }

        for (ActionLock l = 0; l < _ACTION_LOCK_MAX; l++)
                if (streq(action_lock_table[l], lock))
                        blocked_by = c->blocked_by[l];

        if (!ignore && blocked_by) {
                /* The flag below would make logind refuse as well; asking
                 * nothing is what logind's own key handling does, and only
                 * here can the journal say who stood in the way. */
                press_call_log(c, LOG_WARNING, NULL, blocked_by,
                               "Short press of %s on %s: %s=%s not done: logind's %s lock is held by %s.",
                               strna(key_to_name(c->code)), c->seat, logind_key_setting_to_string(c->key),
                               c->action, lock, blocked_by);
                return 0;
        }

        press_call_act(TAKE_PTR(c), ignore ? 0 : SD_LOGIND_ROOT_CHECK_INHIBITORS);
        return 0;
}

/* The entry of handle_action_table for logind's action, or -ENOENT. */
static int handle_action_lookup(const char *action) {
        for (size_t i = 0; i < ELEMENTSOF(handle_action_table); i++)
                if (streq(handle_action_table[i].action, action))
                        return (int) i;
        return -ENOENT;
}

/* logind's own key handling checks the lock unless *KeyIgnoreInhibited=yes;
 * the setting decides for us too.  Takes c. */
static void press_call_ask_ignore_inhibited(PressCall *p) {
        _cleanup_(press_call_freep) PressCall *c = p;
        const char *setting = logind_key_ignore_inhibited_to_string(c->key);
        int r;

        r = sd_bus_call_method_async(c->logind->bus, &c->slot, LOGIND_SERVICE, LOGIND_PATH,
                                     "org.freedesktop.DBus.Properties", "Get", press_call_on_ignore_inhibited, c,
                                     "ss", LOGIND_MANAGER, setting);
        if (r < 0) {
                log_warning_errno(r, "Failed to ask logind for %s, the short press of %s does nothing: %m", setting,
                                  strna(key_to_name(c->code)));
                return;
        }
        TAKE_PTR(c);
}

static int press_call_on_setting(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(press_call_freep) PressCall *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *setting = logind_key_setting_to_string(c->key), *value;
        int i, r;

        c->slot = sd_bus_slot_unref(c->slot);
        if (e) {
                log_warning("Failed to read logind's %s=, the short press of %s does nothing: %s", setting,
                            strna(key_to_name(c->code)), e->message ?: e->name);
                return 0;
        }
        r = sd_bus_message_read(reply, "v", "s", &value);
        if (r < 0) {
                log_warning_errno(r, "Bad %s from logind, the short press of %s does nothing: %m", setting,
                                  strna(key_to_name(c->code)));
                return 0;
        }

        i = handle_action_lookup(value);
        if (i < 0) {
                c->action = value;
                /* factory-reset in particular: a short press is exactly what
                 * hotkeyd's gestures are there to tell apart from a reset. */
                press_call_log(c, LOG_WARNING, NULL, NULL,
                               "Short press of %s on %s: hotkeyd does not perform %s=%s on logind's behalf; "
                               "nothing was done.",
                               strna(key_to_name(c->code)), c->seat, setting, value);
                return 0;
        }
        c->action = handle_action_table[i].action;
        c->action_index = i;

        if (!handle_action_table[i].method)
                press_call_log(c, LOG_INFO, NULL, NULL, "Short press of %s on %s: %s=%s, nothing to do.",
                               strna(key_to_name(c->code)), c->seat, setting, c->action);
        else if (!handle_action_table[i].lock)
                press_call_act(TAKE_PTR(c), 0);
        else
                press_call_ask_ignore_inhibited(TAKE_PTR(c));
        return 0;
}

static bool what_has(const char *what, const char *lock) {
        size_t n = strlen(lock);

        for (const char *p = what; p; p = strchr(p, ':'), p = p ? p + 1 : NULL)
                if (strncmp(p, lock, n) == 0 && (p[n] == '\0' || p[n] == ':'))
                        return true;
        return false;
}

static bool mode_blocks(const char *mode) {
        /* "block-weak" (systemd >= 257) is a block lock that privileged
         * callers may override; logind's key handling honours it too. */
        return streq(mode, "block") || streq(mode, "block-weak");
}

static int press_call_on_inhibitors(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(press_call_freep) PressCall *c = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *lock = logind_key_inhibit_what_to_string(c->key);
        const char *what, *who, *why, *mode;
        uint32_t uid, pid;
        int r;

        c->slot = sd_bus_slot_unref(c->slot);
        if (e) {
                log_warning("Failed to list logind's inhibitors, the short press of %s does nothing: %s",
                            strna(key_to_name(c->code)), e->message ?: e->name);
                return 0;
        }

        r = sd_bus_message_enter_container(reply, 'a', "(ssssuu)");
        if (r < 0) {
                log_warning_errno(r, "Failed to read logind's inhibitor list, the short press of %s does nothing: %m",
                                  strna(key_to_name(c->code)));
                return 0;
        }

        while ((r = sd_bus_message_read(reply, "(ssssuu)", &what, &who, &why, &mode, &uid, &pid)) > 0) {
                _cleanup_free_ char *left_to = NULL;

                if (pid == (uint32_t) getpid() || !mode_blocks(mode))
                        continue;

                /* Whatever the action turns out to be: the first holder of
                 * its lock is named in the journal if it stops it. */
                for (ActionLock l = 0; l < _ACTION_LOCK_MAX; l++)
                        if (!c->blocked_by[l] && what_has(what, action_lock_table[l]) &&
                            asprintf(&c->blocked_by[l], "%s (pid %" PRIu32 ", uid %" PRIu32 ")%s%s", who, pid,
                                     uid, isempty(why) ? "" : ": ", why) < 0) {
                                c->blocked_by[l] = NULL;
                                log_oom();
                                return 0;
                        }

                if (!streq(mode, "block") || !what_has(what, lock))
                        continue;

                /* A desktop shell holding the lock acts on the press itself
                 * (on the press, not the release); doing it again would
                 * suspend twice or power off under its dialog. */
                if (asprintf(&left_to, "%s (pid %" PRIu32 ")", who, pid) < 0) {
                        left_to = NULL;
                        log_oom();
                        return 0;
                }
                press_call_log(c, LOG_INFO, left_to, NULL,
                               "Short press of %s on %s: left to %s, which holds logind's %s inhibitor.",
                               strna(key_to_name(c->code)), c->seat, left_to, lock);
                return 0;
        }
        if (r < 0) {
                log_warning_errno(r, "Failed to read logind's inhibitor list, the short press of %s does nothing: %m",
                                  strna(key_to_name(c->code)));
                return 0;
        }

        r = sd_bus_call_method_async(c->logind->bus, &c->slot, LOGIND_SERVICE, LOGIND_PATH,
                                     "org.freedesktop.DBus.Properties", "Get", press_call_on_setting, c, "ss",
                                     LOGIND_MANAGER, logind_key_setting_to_string(c->key));
        if (r < 0) {
                log_warning_errno(r, "Failed to ask logind for %s: %m", logind_key_setting_to_string(c->key));
                return 0;
        }
        TAKE_PTR(c);
        return 0;
}

void logind_short_press(Logind *l, const char *seat, unsigned code) {
        _cleanup_(press_call_freep) PressCall *c = NULL;
        LogindKey key = logind_key_from_code(code);
        int r;

        if (!l || key < 0)
                return;

        /* Without our inhibitor logind acted on the press already. */
        if (l->inhibitors[key].fd < 0) {
                log_debug("Short press of %s: not holding %s, logind handled the key itself.",
                          strna(key_to_name(code)), logind_key_inhibit_what_to_string(key));
                return;
        }

        c = calloc(1, sizeof *c);
        if (!c) {
                log_oom();
                return;
        }
        c->key = key;
        c->code = code;
        c->seat = strdup(seat ?: "seat0");
        if (!c->seat) {
                log_oom();
                return;
        }

        r = sd_bus_call_method_async(l->bus, &c->slot, LOGIND_SERVICE, LOGIND_PATH, LOGIND_MANAGER,
                                     "ListInhibitors", press_call_on_inhibitors, c, NULL);
        if (r < 0) {
                log_warning_errno(r, "Failed to ask logind for its inhibitors, the short press of %s does nothing: %m",
                                  strna(key_to_name(code)));
                return;
        }

        c->logind = l;
        LIST_PREPEND(l->calls, c);
        TAKE_PTR(c);
}

static void inhibitor_release(Inhibitor *i) {
        i->call = sd_bus_slot_unref(i->call);
        if (i->fd >= 0)
                close(i->fd);
        i->fd = -EBADF;
}

static int logind_on_inhibit(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Inhibitor *i = ASSERT_PTR(userdata);
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        LogindKey key = i->key;
        int fd, r;

        i->call = sd_bus_slot_unref(i->call);

        if (e) {
                log_error("Failed to take logind's %s inhibitor: %s. A press of that key does what logind's %s= "
                          "says at once, before any hold can complete.",
                          logind_key_inhibit_what_to_string(key), e->message ?: e->name,
                          logind_key_setting_to_string(key));
                return 0;
        }

        r = sd_bus_message_read(reply, "h", &fd);
        if (r < 0) {
                log_error_errno(r, "Failed to read logind's %s inhibitor: %m", logind_key_inhibit_what_to_string(key));
                return 0;
        }

        /* The message owns its fd; the lock lasts as long as our copy. */
        i->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (i->fd < 0) {
                log_error_errno(-errno, "Failed to keep logind's %s inhibitor: %m",
                                logind_key_inhibit_what_to_string(key));
                return 0;
        }

        log_info("Holding logind's %s inhibitor: hotkeyd does the key's short press itself.",
                 logind_key_inhibit_what_to_string(key));
        return 0;
}

static void logind_take(Logind *l, LogindKey key) {
        Inhibitor *i = &l->inhibitors[key];
        int r;

        if (i->fd >= 0 || i->call)
                return;

        r = sd_bus_call_method_async(l->bus, &i->call, LOGIND_SERVICE, LOGIND_PATH, LOGIND_MANAGER, "Inhibit",
                                     logind_on_inhibit, i, "ssss", logind_key_inhibit_what_to_string(key),
                                     "hotkeyd",
                                     "The key may start a factory-reset gesture; hotkeyd does its short press itself.",
                                     "block");
        if (r < 0)
                log_error_errno(r, "Failed to ask logind for the %s inhibitor: %m. A press of that key does what "
                                "logind's %s= says at once.",
                                logind_key_inhibit_what_to_string(key), logind_key_setting_to_string(key));
}

void logind_set_keys(Logind *l, const unsigned *codes, size_t n_codes) {
        bool wanted[_LOGIND_KEY_MAX] = {};

        if (!l)
                return;

        for (size_t i = 0; i < n_codes; i++) {
                LogindKey key = logind_key_from_code(codes[i]);
                if (key >= 0)
                        wanted[key] = true;
        }

        for (LogindKey key = 0; key < _LOGIND_KEY_MAX; key++) {
                if (wanted[key])
                        logind_take(l, key);
                else if (l->inhibitors[key].fd >= 0 || l->inhibitors[key].call) {
                        inhibitor_release(&l->inhibitors[key]);
                        log_info("Released logind's %s inhibitor.", logind_key_inhibit_what_to_string(key));
                }
        }
}

int logind_new(sd_bus *bus, Logind **ret) {
        Logind *l;

        assert(bus);
        assert(ret);

        l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        l->bus = sd_bus_ref(bus);
        for (LogindKey key = 0; key < _LOGIND_KEY_MAX; key++)
                l->inhibitors[key] = (Inhibitor) {
                        .key = key,
                        .fd = -EBADF,
                };

        *ret = l;
        return 0;
}

Logind *logind_free(Logind *l) {
        if (!l)
                return NULL;
        while (l->calls)
                press_call_free(l->calls);
        for (LogindKey key = 0; key < _LOGIND_KEY_MAX; key++)
                inhibitor_release(&l->inhibitors[key]);
        sd_bus_unref(l->bus);
        free(l);
        return NULL;
}
