/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The gesture engine fed arbitrary key streams with arbitrary timing,
 * checked against a model that knows nothing of the engine's internals.
 * The invariant that matters for a factory reset: a completion is only ever
 * reported for a configured trigger, on a seat it applies to, whose keys
 * were all held there for exactly HoldSec (holds), or whose chord was
 * completed Presses= times within WithinSec (multi-press); and a hold
 * completes at most once per hold.
 *
 * Input: a header that builds the configuration, then two-byte operations
 * (key down/up/autorepeat on one of four devices, time steps, device
 * removal, engine reset). */

#include "config.h"
#include "fuzz.h"
#include "gesture.h"

#define N_DEVICES 4
#define N_SEATS 2
#define N_TRIGGERS_MAX 4
#define COMPLETIONS_MAX 64

/* Trigger keys plus one no trigger uses. */
static const char *const key_names[] = { "KEY_POWER", "KEY_RESTART", "KEY_VOLUMEDOWN", "KEY_A" };
static const unsigned key_codes[] = { 116, 0x198, 114, 30, 48 /* KEY_B */ };
#define N_KEYS (sizeof key_codes / sizeof key_codes[0])

static const char *const seat_names[N_SEATS] = { "seat0", "seat1" };
static const char *const hold_values[] = { "1ms", "10ms", "500ms", "1s", "3s" };
static const char *const within_values[] = { "10ms", "300ms", "1s", "2s" };
static const usec_t time_steps[] = { 0, 1, 999, 1000, 100000, 499999, 500000, 999999, 1000000, 3000000 };

typedef struct Model {
        const Config *config;
        usec_t now;
        unsigned held[N_SEATS][N_KEYS]; /* devices holding the key on the seat */
        bool device_holds[N_DEVICES][N_KEYS];
        usec_t chord_since[N_SEATS][N_TRIGGERS_MAX]; /* USEC_INFINITY: not all keys held */
        bool fired[N_SEATS][N_TRIGGERS_MAX];          /* a hold completed, not released since */
        usec_t completions[N_SEATS][N_TRIGGERS_MAX][COMPLETIONS_MAX];
        unsigned n_completions[N_SEATS][N_TRIGGERS_MAX];
} Model;

#define CHECK(x)                                                                                  \
        do {                                                                                      \
                if (!(x)) {                                                                       \
                        fprintf(stderr, "invariant violated: %s (%s:%d)\n", #x, __FILE__, __LINE__); \
                        abort();                                                                  \
                }                                                                                 \
        } while (0)

static int seat_index(const char *seat) {
        for (int i = 0; i < N_SEATS; i++)
                if (streq(seat, seat_names[i]))
                        return i;
        return -1;
}

static int key_index(unsigned code) {
        for (size_t i = 0; i < N_KEYS; i++)
                if (key_codes[i] == code)
                        return (int) i;
        return -1;
}

static bool applies(const Trigger *t, int seat) {
        return !t->seat || streq(t->seat, seat_names[seat]);
}

static bool chord_held(const Model *m, int seat, const Trigger *t) {
        for (size_t k = 0; k < t->n_keys; k++)
                if (m->held[seat][key_index(t->keys[k])] == 0)
                        return false;
        return true;
}

/* After a change of the seat's key state: which chords just completed or broke. */
static void model_update_chords(Model *m, int seat, int changed_key, bool down) {
        for (size_t i = 0; i < m->config->n_triggers; i++) {
                const Trigger *t = &m->config->triggers[i];
                bool uses = false;

                for (size_t k = 0; k < t->n_keys; k++)
                        uses = uses || key_index(t->keys[k]) == changed_key;
                if (!uses || !applies(t, seat))
                        continue;

                if (down && chord_held(m, seat, t) && m->chord_since[seat][i] == USEC_INFINITY) {
                        m->chord_since[seat][i] = m->now;
                        if (t->kind == TRIGGER_PRESSES && m->n_completions[seat][i] < COMPLETIONS_MAX)
                                m->completions[seat][i][m->n_completions[seat][i]++] = m->now;
                } else if (!down && !chord_held(m, seat, t)) {
                        m->chord_since[seat][i] = USEC_INFINITY;
                        m->fired[seat][i] = false;
                }
        }
}

static void on_event(const GestureEvent *e, void *userdata) {
        Model *m = userdata;
        size_t i = (size_t) (e->trigger - m->config->triggers);
        int seat = seat_index(e->seat);

        CHECK(e->trigger >= m->config->triggers && i < m->config->n_triggers);
        CHECK(seat >= 0 && applies(e->trigger, seat));
        CHECK(e->time <= m->now);

        if (e->type != GESTURE_TRIGGER)
                return;

        const Trigger *t = e->trigger;
        CHECK(chord_held(m, seat, t));
        if (t->kind == TRIGGER_HOLD) {
                CHECK(m->chord_since[seat][i] != USEC_INFINITY);
                CHECK(e->time - m->chord_since[seat][i] == t->hold_usec);
                CHECK(!m->fired[seat][i]);
                m->fired[seat][i] = true;
        } else {
                unsigned in_window = 0;

                CHECK(m->chord_since[seat][i] == e->time);
                for (unsigned c = 0; c < m->n_completions[seat][i]; c++)
                        if (e->time - m->completions[seat][i][c] <= t->within_usec)
                                in_window++;
                CHECK(in_window >= t->presses);
                m->n_completions[seat][i] = 0; /* a completion starts the count afresh */
        }
}

static void model_reset(Model *m) {
        memset(m->held, 0, sizeof m->held);
        memset(m->device_holds, 0, sizeof m->device_holds);
        memset(m->fired, 0, sizeof m->fired);
        memset(m->n_completions, 0, sizeof m->n_completions);
        for (int s = 0; s < N_SEATS; s++)
                for (int i = 0; i < N_TRIGGERS_MAX; i++)
                        m->chord_since[s][i] = USEC_INFINITY;
}

/* The header: a trigger count, then three bytes per trigger. */
static size_t build_config(const uint8_t *data, size_t size, char *text, size_t text_size) {
        size_t n, used = 1, len = 0;

        if (size < 1)
                return 0;
        n = 1 + data[0] % N_TRIGGERS_MAX;
        len += snprintf(text + len, text_size - len, "[Daemon]\nMode=desktop\n");
        for (size_t i = 0; i < n && used + 3 <= size; i++, used += 3) {
                uint8_t keys = data[used] % 15 + 1, kind = data[used + 1], seat = data[used + 2];

                len += snprintf(text + len, text_size - len, "[Trigger]\nName=t%zu\nKeys=", i);
                for (unsigned k = 0; k < 4; k++)
                        if (keys & (1U << k))
                                len += snprintf(text + len, text_size - len, "%s ", key_names[k]);
                if (kind & 1)
                        len += snprintf(text + len, text_size - len, "\nPresses=%u\nWithinSec=%s\n",
                                        2 + (kind >> 1) % 3, within_values[(kind >> 3) % 4]);
                else
                        len += snprintf(text + len, text_size - len, "\nHoldSec=%s\n",
                                        hold_values[(kind >> 1) % 5]);
                if (seat % 3 > 0)
                        len += snprintf(text + len, text_size - len, "Seat=%s\n", seat_names[seat % 3 - 1]);
        }
        return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(config_freep) Config *c = NULL;
        GestureEngine *e = NULL;
        char text[2048];
        Model m = {};
        size_t used;

        used = build_config(data, size, text, sizeof text);
        if (used == 0)
                return 0;
        c = config_new();
        if (!c || config_parse_text(c, "fuzz.conf", text, strlen(text), NULL, NULL) < 0 || c->n_triggers == 0)
                return 0;

        m.config = c;
        model_reset(&m);
        m.now = 1000000;
        if (gesture_engine_new(c, on_event, &m, &e) < 0)
                return 0;

        for (size_t p = used; p + 2 <= size; p += 2) {
                uint8_t op = data[p], arg = data[p + 1];
                unsigned device = arg % N_DEVICES;
                int seat = device % N_SEATS; /* a device stays on its seat */
                int key = (arg >> 2) % N_KEYS;
                char name[32];

                snprintf(name, sizeof name, "/dev/input/event%u", device);
                m.now += time_steps[(op >> 4) % (sizeof time_steps / sizeof time_steps[0])];

                switch (op % 6) {
                case 0: /* press: the model knows first, so completions inside the call see it held */
                        if (!m.device_holds[device][key]) {
                                m.device_holds[device][key] = true;
                                if (m.held[seat][key]++ == 0)
                                        model_update_chords(&m, seat, key, true);
                        }
                        gesture_engine_key(e, device, name, seat_names[seat], key_codes[key], 1,
                                           KEY_SOURCE_EVENT, m.now);
                        break;
                case 1:
                case 2: /* release, from an event or from a resync */
                        gesture_engine_key(e, device, name, seat_names[seat], key_codes[key], 0,
                                           op % 6 == 2 ? KEY_SOURCE_RESYNC : KEY_SOURCE_EVENT, m.now);
                        if (m.device_holds[device][key]) {
                                m.device_holds[device][key] = false;
                                if (--m.held[seat][key] == 0)
                                        model_update_chords(&m, seat, key, false);
                        }
                        break;
                case 3: /* autorepeat changes nothing */
                        gesture_engine_key(e, device, name, seat_names[seat], key_codes[key], 2,
                                           KEY_SOURCE_EVENT, m.now);
                        break;
                case 4:
                        gesture_engine_device_gone(e, device, m.now);
                        for (size_t k = 0; k < N_KEYS; k++)
                                if (m.device_holds[device][k]) {
                                        m.device_holds[device][k] = false;
                                        if (--m.held[seat][k] == 0)
                                                model_update_chords(&m, seat, (int) k, false);
                                }
                        break;
                default:
                        if (arg % 8 == 0) {
                                gesture_engine_reset(e, m.now);
                                model_reset(&m);
                        } else
                                gesture_engine_advance(e, m.now);
                }
                CHECK(gesture_engine_next_deadline(e) == USEC_INFINITY || gesture_engine_next_deadline(e) > m.now);
        }

        gesture_engine_free(e);
        return 0;
}
