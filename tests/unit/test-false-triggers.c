/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gesture.h"
#include "macro.h"
#include "short-press.h"

#include "tests.h"

/* False triggers of the shipped configuration.  data/hotkeyd.conf is parsed
 * with the real parser and drives the real gesture engine; key events of
 * everyday use are replayed into it on a virtual clock:
 *
 *  - typing docs/ARCHITECTURE.md on a US layout: Shift for capitals and
 *    punctuation (left or right Shift, by the typist's habit), a dwell of
 *    30-200 ms, bursts, pauses at sentence ends and for thinking, keys
 *    overlapping when typed fast, typos corrected with Backspace, Ctrl+S;
 *  - shortcuts: Ctrl+C/V/X/Z/S/T/W/A/F, Ctrl+Shift+T/Z/C/V, Ctrl+Alt+T,
 *    Ctrl+Alt+Shift+R (ChromeOS's Powerwash combination, GNOME's screen
 *    recording) and others briefly; Alt held for seconds while Tab is tapped;
 *    Ctrl+Alt+arrows and Ctrl+Alt+Shift+arrows held while arrows are tapped;
 *    Super combos; selections with Shift or Ctrl+Shift held for seconds;
 *    Ctrl held for seconds (clicking); volume keys; the ACPI power button's
 *    press-only short press;
 *  - games: WASD held for seconds, Shift to sprint, Ctrl to crouch, Alt to
 *    look around, all of them together for seconds (slides, peeks), Space,
 *    R, E, Q, F, 1-4, Tab held for the score board.
 *
 * The kernel's autorepeat of the last key pressed (250 ms, then every
 * 33 ms) is fed too.  What is not modelled: a keyboard game for two
 * players on one keyboard, where one might hold the right Shift while the
 * other holds Ctrl, Alt and the left Shift.
 *
 * The pseudo-random numbers come from splitmix64 seeded with REPLAY_SEED
 * (the bytes of "hotkeyd"), so every run replays the same events;
 * HOTKEYD_REPLAY_SEED=N replays another sequence.  The typing follows the
 * text, so the counts printed change with each revision of
 * docs/ARCHITECTURE.md; the verdict must not.  After the replay, which
 * must complete no trigger, the shipped keyboard chord is held for its
 * HoldSec= on the same engine and must complete exactly once: the control
 * that shows the replay could have seen a trigger. */

#define REPLAY_SEED UINT64_C(0x686f746b657964)
#define REPLAY_EDGES_MIN 1000000U /* presses and releases, autorepeat not counted */
#define KEYBOARD_CHORD "keyboard-chord"

#define MS(x) ((usec_t) (x) * USEC_PER_MSEC)
#define SEC(x) ((usec_t) (x) * USEC_PER_SEC)

#define REPEAT_DELAY MS(250)
#define REPEAT_PERIOD MS(33)

/* ---- randomness ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng_next(void) {
        uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint64_t rnd(uint64_t lo, uint64_t hi) {
        return lo + rng_next() % (hi - lo + 1);
}

static usec_t rnd_ms(unsigned lo, unsigned hi) {
        return MS(rnd(lo, hi));
}

/* True with probability percent/100. */
static bool chance(unsigned percent) {
        return rng_next() % 100 < percent;
}

/* ---- files ----------------------------------------------------------------- */

static char *read_source_file(const char *relative, size_t *ret_size) {
        const char *src = getenv("HOTKEYD_SOURCE_ROOT");
        char path[4096];
        FILE *f;
        char *buf;
        long n;

        if (!src || !*src)
                FAIL("HOTKEYD_SOURCE_ROOT is not set; it must point at the source tree");
        snprintf(path, sizeof path, "%s/%s", src, relative);

        f = fopen(path, "re");
        if (!f)
                FAIL("cannot open %s: %m", path);
        ASSERT_EQ(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        ASSERT_TRUE(n > 0);
        rewind(f);
        buf = malloc((size_t) n + 1);
        ASSERT_TRUE(buf);
        ASSERT_UEQ(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = 0;
        fclose(f);

        *ret_size = (size_t) n;
        return buf;
}

static Config *load_shipped_config(void) {
        Errors e = {};
        Config *c;
        size_t size;
        char *text = read_source_file("data/hotkeyd.conf", &size);

        c = config_new();
        ASSERT_TRUE(c);
        if (config_parse_text(c, "data/hotkeyd.conf", text, size, errors_collect, &e) < 0 || e.n > 0) {
                errors_dump(&e);
                FAIL("data/hotkeyd.conf does not parse");
        }
        free(text);
        return c;
}

static const Trigger *keyboard_chord(const Config *c) {
        const Trigger *t = config_find_trigger(c, KEYBOARD_CHORD);

        if (!t)
                FAIL("the shipped configuration has no trigger named " KEYBOARD_CHORD);
        ASSERT_EQ(t->kind, TRIGGER_HOLD);
        return t;
}

/* ---- the replay ------------------------------------------------------------ */

enum { DEV_LAPTOP = 1, DEV_USB, DEV_POWER_BUTTON, _DEV_MAX };

static const char *const device_names[_DEV_MAX] = {
        [DEV_LAPTOP] = "/dev/input/event3",
        [DEV_USB] = "/dev/input/event7",
        [DEV_POWER_BUTTON] = "/dev/input/event2",
};

typedef struct Edge {
        usec_t time;
        uint32_t seq; /* generation order: breaks ties of time */
        uint16_t code;
        uint8_t value;
        uint8_t device;
} Edge;

typedef struct Replay {
        GestureEngine *engine;
        const Config *config;
        const char *scenario; /* what is being replayed, for a failure's message */

        Edge *edges;
        size_t n_edges, n_allocated;
        uint32_t seq;

        usec_t now; /* where the next scenario starts */

        /* the kernel's autorepeat, per device */
        unsigned repeat_code[_DEV_MAX];
        usec_t repeat_next[_DEV_MAX];

        uint64_t n_fed, n_presses, n_releases, n_repeats;
        uint64_t n_scenarios[4];
        uint64_t n_triggers, n_hold_starts, n_hold_cancels;
        uint64_t triggers_by[8], hold_starts_by[8];
        uint64_t max_chord_keys; /* most keys of the keyboard chord held at once */
} Replay;

static size_t trigger_index(const Replay *r, const Trigger *t) {
        size_t i = (size_t) (t - r->config->triggers);

        ASSERT_TRUE(i < r->config->n_triggers && i < ELEMENTSOF(r->triggers_by));
        return i;
}

static void on_gesture(const GestureEvent *ev, void *userdata) {
        Replay *r = userdata;

        switch (ev->type) {
        case GESTURE_TRIGGER:
                if (r->n_triggers < 10)
                        fprintf(stderr, "trigger %s at %" PRIu64 " us during %s\n", ev->trigger->name,
                                (uint64_t) ev->time, r->scenario);
                r->n_triggers++;
                r->triggers_by[trigger_index(r, ev->trigger)]++;
                break;
        case GESTURE_HOLD_START:
                r->n_hold_starts++;
                r->hold_starts_by[trigger_index(r, ev->trigger)]++;
                break;
        case GESTURE_HOLD_CANCEL:
                r->n_hold_cancels++;
                break;
        default:
                break;
        }
}

static void edge(Replay *r, unsigned device, unsigned code, int value, usec_t t) {
        if (r->n_edges >= r->n_allocated) {
                size_t n = r->n_allocated ? r->n_allocated * 2 : 4096;
                Edge *p = reallocarray(r->edges, n, sizeof(Edge));

                ASSERT_TRUE(p);
                r->edges = p;
                r->n_allocated = n;
        }
        r->edges[r->n_edges++] = (Edge) {
                .time = t,
                .seq = r->seq++,
                .code = (uint16_t) code,
                .value = (uint8_t) value,
                .device = (uint8_t) device,
        };
}

/* A key held from t for d. */
static void tap(Replay *r, unsigned device, unsigned code, usec_t t, usec_t d) {
        edge(r, device, code, 1, t);
        edge(r, device, code, 0, t + d);
}

static int edge_compare(const void *a, const void *b) {
        const Edge *x = a, *y = b;

        if (x->time != y->time)
                return x->time < y->time ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void feed_one(Replay *r, unsigned device, unsigned code, int value, usec_t t) {
        gesture_engine_key(r->engine, device, device_names[device], "seat0", code, value, KEY_SOURCE_EVENT, t);
        r->n_fed++;
}

/* Autorepeat of every device up to (not including) t. */
static void repeat_until(Replay *r, usec_t t) {
        for (unsigned d = 0; d < _DEV_MAX; d++)
                while (r->repeat_code[d] != 0 && r->repeat_next[d] < t) {
                        feed_one(r, d, r->repeat_code[d], 2, r->repeat_next[d]);
                        r->n_repeats++;
                        r->repeat_next[d] += REPEAT_PERIOD;
                }
}

static bool chord_key_held(const Replay *r, unsigned code) {
        return gesture_engine_key_held(r->engine, "seat0", code);
}

/* Sorts what the scenario generated and feeds it, with the kernel's
 * autorepeat in between; the next scenario starts after a gap. */
static void flush(Replay *r, const Trigger *chord) {
        usec_t end = r->now;

        qsort(r->edges, r->n_edges, sizeof(Edge), edge_compare);

        for (size_t i = 0; i < r->n_edges; i++) {
                const Edge *e = &r->edges[i];
                unsigned held = 0;

                repeat_until(r, e->time);
                feed_one(r, e->device, e->code, e->value, e->time);

                if (e->value) {
                        r->n_presses++;
                        /* Power buttons have no EV_REP; keyboards do. */
                        if (e->device != DEV_POWER_BUTTON) {
                                r->repeat_code[e->device] = e->code;
                                r->repeat_next[e->device] = e->time + REPEAT_DELAY;
                        }
                } else {
                        r->n_releases++;
                        r->repeat_code[e->device] = 0;
                }

                for (size_t k = 0; k < chord->n_keys; k++)
                        held += chord_key_held(r, chord->keys[k]);
                if (held > r->max_chord_keys)
                        r->max_chord_keys = held;

                if (e->time > end)
                        end = e->time;
        }

        r->n_edges = 0;
        r->now = end + rnd_ms(300, 20000);
        repeat_until(r, r->now);
        gesture_engine_advance(r->engine, r->now);
}

/* -- typing -- */

typedef struct KeyChar {
        uint16_t code;
        bool shift;
        bool left_hand;
} KeyChar;

static KeyChar keymap[128];

static void keymap_set(const char *chars, const unsigned *codes, bool shift) {
        for (size_t i = 0; chars[i]; i++)
                keymap[(unsigned char) chars[i]] = (KeyChar) { .code = (uint16_t) codes[i], .shift = shift };
}

static void keymap_init(void) {
        static const unsigned letters[26] = {
                KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L, KEY_M,
                KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
        };
        static const unsigned digits[10] = {
                KEY_0, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9,
        };
        static const unsigned punct[] = {
                KEY_GRAVE, KEY_MINUS, KEY_EQUAL, KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_BACKSLASH,
                KEY_SEMICOLON, KEY_APOSTROPHE, KEY_COMMA, KEY_DOT, KEY_SLASH,
        };
        static const char left_keys[] = "qwertasdfgzxcvb12345`~!@#$%";

        keymap_set("abcdefghijklmnopqrstuvwxyz", letters, false);
        keymap_set("ABCDEFGHIJKLMNOPQRSTUVWXYZ", letters, true);
        keymap_set("0123456789", digits, false);
        keymap_set(")!@#$%^&*(", digits, true);
        keymap_set("`-=[]\\;',./", punct, false);
        keymap_set("~_+{}|:\"<>?", punct, true);
        keymap_set(" ", (const unsigned[]) { KEY_SPACE }, false);
        keymap_set("\n", (const unsigned[]) { KEY_ENTER }, false);
        keymap_set("\t", (const unsigned[]) { KEY_TAB }, false);

        for (unsigned c = 0; c < 128; c++)
                keymap[c].left_hand = strchr(left_keys, (int) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c)) != NULL;
}

typedef struct Text {
        const char *data;
        size_t size, pos;
        uint64_t passes;
} Text;

static int text_next(Text *t) {
        unsigned char c;

        for (;;) {
                if (t->pos >= t->size) {
                        t->pos = 0;
                        t->passes++;
                }
                c = (unsigned char) t->data[t->pos++];
                /* Non-ASCII characters (arrows, dashes) come from an input
                 * method or compose sequences: left out. */
                if (c < 128 && keymap[c].code != 0)
                        return c;
        }
}

/* One stretch of typing: 200-3000 characters of the text from where the
 * previous one stopped. */
static void scenario_typing(Replay *r, Text *text) {
        unsigned device = chance(70) ? DEV_LAPTOP : DEV_USB;
        bool opposite_shift = chance(60); /* Shift of the other hand, or always the left one */
        usec_t mean = rnd_ms(90, 260);    /* 45-130 words per minute */
        unsigned n = (unsigned) rnd(200, 3000), burst = 0;
        usec_t t = r->now;
        /* The previous key, and the Shift that is down (0: none). */
        unsigned prev_code = 0, shift = 0;
        usec_t prev_press = 0, prev_release = 0;

        r->scenario = "typing";
        for (unsigned i = 0; i < n; i++) {
                int c = text_next(text);
                const KeyChar *k = &keymap[c];
                usec_t dwell = rnd_ms(30, 200), gap;

                if (burst > 0) {
                        gap = mean * rnd(40, 80) / 100;
                        burst--;
                } else {
                        gap = mean * rnd(50, 200) / 100;
                        if (chance(15))
                                burst = (unsigned) rnd(3, 10);
                }
                if (i > 0) {
                        t = prev_press + gap;
                        /* The same key cannot go down before it came up. */
                        if (k->code == prev_code && t <= prev_release)
                                t = prev_release + rnd_ms(10, 40);
                }

                if (k->shift) {
                        unsigned want = opposite_shift && k->left_hand ? KEY_RIGHTSHIFT : KEY_LEFTSHIFT;

                        if (shift != want) {
                                /* Down after the previous key went down, so that
                                 * one is not shifted; the old Shift may come up
                                 * a little later: both are down for a moment. */
                                usec_t lead = rnd_ms(15, 120);
                                usec_t down = i > 0 && t - lead <= prev_press ? prev_press + MS(1) : t - lead;

                                if (down >= t)
                                        t = down + MS(1);
                                edge(r, device, want, 1, down);
                                if (shift)
                                        edge(r, device, shift, 0, prev_release + rnd_ms(5, 80));
                                shift = want;
                        }
                } else if (shift) {
                        /* Up before this key goes down, and after the
                         * shifted key went down. */
                        usec_t up = prev_release + rnd_ms(5, 80);

                        if (up >= t)
                                up = t - MS(1) > prev_press ? t - MS(1) : prev_press + MS(1);
                        if (up >= t)
                                t = up + MS(1);
                        edge(r, device, shift, 0, up);
                        shift = 0;
                }

                tap(r, device, k->code, t, dwell);
                prev_code = k->code;
                prev_press = t;
                prev_release = t + dwell;

                /* A typo, corrected. */
                if (chance(2)) {
                        unsigned m = (unsigned) rnd(1, 3);
                        usec_t b = prev_release + rnd_ms(150, 600);

                        if (shift) {
                                edge(r, device, shift, 0, prev_release + rnd_ms(5, 60));
                                shift = 0;
                        }
                        for (unsigned j = 0; j < m; j++, b += rnd_ms(80, 250))
                                tap(r, device, KEY_BACKSPACE, b, rnd_ms(40, 150));
                        prev_code = KEY_BACKSPACE;
                        prev_press = b;
                        prev_release = b + MS(150);
                }

                /* Thinking at the end of a sentence or paragraph; saving. */
                if (c == '.' || c == '\n') {
                        usec_t pause = chance(3) ? rnd_ms(5000, 60000) : rnd_ms(300, 4000);

                        if (shift) {
                                edge(r, device, shift, 0, prev_release + rnd_ms(5, 60));
                                shift = 0;
                        }
                        if (c == '\n' && chance(20)) {
                                usec_t s = prev_release + rnd_ms(200, 800);
                                unsigned ctrl = chance(85) ? KEY_LEFTCTRL : KEY_RIGHTCTRL;

                                edge(r, device, ctrl, 1, s);
                                tap(r, device, KEY_S, s + rnd_ms(40, 200), rnd_ms(50, 150));
                                edge(r, device, ctrl, 0, s + rnd_ms(400, 700));
                                prev_code = ctrl;
                                prev_release = s + MS(700);
                        }
                        prev_press = prev_release + pause;
                        prev_release = prev_press;
                }
        }
        if (shift)
                edge(r, device, shift, 0, prev_release + rnd_ms(5, 80));
        r->n_scenarios[0]++;
}

/* -- shortcuts -- */

static unsigned pick_ctrl(void) {
        return chance(85) ? KEY_LEFTCTRL : KEY_RIGHTCTRL;
}

static unsigned pick_shift(void) {
        return chance(75) ? KEY_LEFTSHIFT : KEY_RIGHTSHIFT;
}

static unsigned pick_alt(void) {
        return chance(90) ? KEY_LEFTALT : KEY_RIGHTALT;
}

/* Modifiers down one after the other, taps of the keys while they are held
 * for hold, the modifiers up in a random order; returns the end. */
static usec_t chord(Replay *r, unsigned device, const unsigned *mods, size_t n_mods, const unsigned *keys,
                    size_t n_keys, unsigned taps, usec_t hold, usec_t t) {
        usec_t down = t, k, end;

        for (size_t i = 0; i < n_mods; i++) {
                edge(r, device, mods[i], 1, down);
                down += rnd_ms(20, 150);
        }

        k = down;
        for (unsigned i = 0; i < taps; i++) {
                usec_t d = rnd_ms(50, 250);

                tap(r, device, keys[rnd(0, n_keys - 1)], k, d);
                k += d + (taps > 1 ? rnd_ms(80, 900) : 0);
        }
        end = k > down + hold ? k : down + hold;

        for (size_t i = 0; i < n_mods; i++)
                edge(r, device, mods[i], 0, end + rnd_ms(10, 120));
        return end + MS(130);
}

static void scenario_shortcuts(Replay *r) {
        static const unsigned ctrl_keys[] = { KEY_C, KEY_V, KEY_X, KEY_Z, KEY_S, KEY_T, KEY_W, KEY_A, KEY_F, KEY_L };
        static const unsigned ctrl_shift_keys[] = { KEY_T, KEY_Z, KEY_C, KEY_V, KEY_N, KEY_I, KEY_TAB };
        static const unsigned super_keys[] = { KEY_L, KEY_A, KEY_D, KEY_E, KEY_1, KEY_2, KEY_3, KEY_4, KEY_UP,
                                               KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_TAB, KEY_PAGEUP, KEY_PAGEDOWN };
        static const unsigned arrows[] = { KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT };
        static const unsigned tab[] = { KEY_TAB };
        unsigned device = chance(70) ? DEV_LAPTOP : DEV_USB;
        unsigned n = (unsigned) rnd(5, 40);
        usec_t t = r->now;

        r->scenario = "shortcuts";
        for (unsigned i = 0; i < n; i++, t += rnd_ms(300, 5000)) {
                switch (rnd(0, 13)) {
                case 0:
                case 1:
                case 2: /* Ctrl+C, Ctrl+V, ... */
                        t = chord(r, device, (unsigned[]) { pick_ctrl() }, 1, ctrl_keys, ELEMENTSOF(ctrl_keys),
                                  (unsigned) rnd(1, 3), 0, t);
                        break;
                case 3: /* Ctrl+Shift+T, ... */
                        t = chord(r, device, (unsigned[]) { pick_ctrl(), pick_shift() }, 2, ctrl_shift_keys,
                                  ELEMENTSOF(ctrl_shift_keys), 1, 0, t);
                        break;
                case 4: /* Alt+Tab held, Tab tapped; Shift+Tab back */
                        if (chance(30))
                                t = chord(r, device, (unsigned[]) { KEY_LEFTALT, pick_shift() }, 2, tab, 1,
                                          (unsigned) rnd(1, 6), rnd_ms(1000, 6000), t);
                        else
                                t = chord(r, device, (unsigned[]) { KEY_LEFTALT }, 1, tab, 1,
                                          (unsigned) rnd(1, 8), rnd_ms(1000, 6000), t);
                        break;
                case 5: /* Ctrl+Alt+arrows: workspaces */
                        t = chord(r, device, (unsigned[]) { pick_ctrl(), pick_alt() }, 2, arrows, ELEMENTSOF(arrows),
                                  (unsigned) rnd(1, 5), rnd_ms(500, 4000), t);
                        break;
                case 6: /* Ctrl+Alt+Shift+arrows: a window to another workspace */
                        t = chord(r, device, (unsigned[]) { KEY_LEFTCTRL, KEY_LEFTALT, pick_shift() }, 3, arrows,
                                  ELEMENTSOF(arrows), (unsigned) rnd(1, 5), rnd_ms(500, 4000), t);
                        break;
                case 7: /* Super combos, Super+Shift+arrows */
                        if (chance(30))
                                t = chord(r, device, (unsigned[]) { KEY_LEFTMETA, pick_shift() }, 2, arrows,
                                          ELEMENTSOF(arrows), (unsigned) rnd(1, 3), rnd_ms(300, 3000), t);
                        else
                                t = chord(r, device, (unsigned[]) { KEY_LEFTMETA }, 1, super_keys,
                                          ELEMENTSOF(super_keys), (unsigned) rnd(1, 4), rnd_ms(0, 3000), t);
                        break;
                case 8: /* ChromeOS's Powerwash combination, GNOME's screen recording */
                        t = chord(r, device, (unsigned[]) { KEY_LEFTCTRL, KEY_LEFTALT, pick_shift() }, 3,
                                  (unsigned[]) { KEY_R }, 1, 1, 0, t);
                        break;
                case 9: /* selecting: Shift or Ctrl+Shift held, arrows held or tapped */
                        if (chance(50))
                                t = chord(r, device, (unsigned[]) { pick_shift() }, 1, arrows, ELEMENTSOF(arrows),
                                          (unsigned) rnd(1, 10), rnd_ms(1000, 8000), t);
                        else
                                t = chord(r, device, (unsigned[]) { pick_ctrl(), pick_shift() }, 2, arrows,
                                          ELEMENTSOF(arrows), (unsigned) rnd(1, 10), rnd_ms(1000, 6000), t);
                        break;
                case 10: { /* Ctrl held while clicking, or Shift (range select) */
                        unsigned k = chance(70) ? pick_ctrl() : pick_shift();
                        usec_t d = rnd_ms(1000, 10000);

                        tap(r, device, k, t, d);
                        t += d;
                        break;
                }
                case 11: /* Ctrl+Alt+T, Ctrl+Alt+Del, Ctrl+Shift+Esc, Alt+F4, Alt+F2 */
                        switch (rnd(0, 4)) {
                        case 0:
                                t = chord(r, device, (unsigned[]) { KEY_LEFTCTRL, KEY_LEFTALT }, 2,
                                          (unsigned[]) { KEY_T }, 1, 1, 0, t);
                                break;
                        case 1:
                                t = chord(r, device, (unsigned[]) { KEY_LEFTCTRL, KEY_LEFTALT }, 2,
                                          (unsigned[]) { KEY_DELETE }, 1, 1, 0, t);
                                break;
                        case 2:
                                t = chord(r, device, (unsigned[]) { pick_ctrl(), pick_shift() }, 2,
                                          (unsigned[]) { KEY_ESC }, 1, 1, 0, t);
                                break;
                        default:
                                t = chord(r, device, (unsigned[]) { KEY_LEFTALT }, 1,
                                          (unsigned[]) { KEY_F4, KEY_F2 }, 2, 1, 0, t);
                        }
                        break;
                case 12: /* volume keys */
                        t = chord(r, device, NULL, 0, (unsigned[]) { KEY_VOLUMEDOWN, KEY_VOLUMEUP, KEY_MUTE }, 3,
                                  (unsigned) rnd(1, 6), 0, t);
                        break;
                default: /* the ACPI power button: press and release together (suspend) */
                        edge(r, DEV_POWER_BUTTON, KEY_POWER, 1, t);
                        edge(r, DEV_POWER_BUTTON, KEY_POWER, 0, t);
                        t += rnd_ms(2000, 10000);
                }
        }
        r->n_scenarios[1]++;
}

/* -- games -- */

/* Presses of the key at random through [start, end), each held for
 * [hold_lo, hold_hi] ms, about every_ms apart on average. */
static void game_key(Replay *r, unsigned device, unsigned code, usec_t start, usec_t end, unsigned every_ms,
                     unsigned hold_lo, unsigned hold_hi) {
        for (usec_t t = start + rnd_ms(0, every_ms * 2);; t += rnd_ms(30, every_ms * 2)) {
                usec_t d = rnd_ms(hold_lo, hold_hi);

                if (t + d >= end)
                        break;
                tap(r, device, code, t, d);
                t += d;
        }
}

static void scenario_game(Replay *r) {
        unsigned device = chance(60) ? DEV_USB : DEV_LAPTOP;
        usec_t start = r->now, end = start + rnd_ms(20000, 300000);

        r->scenario = "game";
        game_key(r, device, KEY_W, start, end, 800, 300, 6000);
        game_key(r, device, KEY_A, start, end, 1500, 100, 2000);
        game_key(r, device, KEY_S, start, end, 3000, 100, 1500);
        game_key(r, device, KEY_D, start, end, 1500, 100, 2000);
        game_key(r, device, KEY_LEFTSHIFT, start, end, 2000, 1000, 10000); /* sprint */
        game_key(r, device, KEY_LEFTCTRL, start, end, 4000, 300, 5000);    /* crouch */
        game_key(r, device, KEY_LEFTALT, start, end, 8000, 500, 5000);     /* look around, walk */
        game_key(r, device, KEY_SPACE, start, end, 2500, 60, 300);
        game_key(r, device, KEY_R, start, end, 8000, 80, 1000);
        game_key(r, device, KEY_E, start, end, 6000, 60, 1500);
        game_key(r, device, KEY_Q, start, end, 10000, 60, 400);
        game_key(r, device, KEY_F, start, end, 12000, 60, 400);
        game_key(r, device, KEY_1 + (unsigned) rnd(0, 3), start, end, 15000, 60, 200);
        game_key(r, device, KEY_TAB, start, end, 30000, 1000, 4000); /* score board */

        /* Slides and peeks: Shift, Ctrl and Alt together with W, for seconds. */
        for (usec_t t = start + rnd_ms(1000, 20000); t + SEC(8) < end; t += rnd_ms(5000, 30000)) {
                usec_t d = rnd_ms(1000, 6000);

                if (chance(50)) {
                        tap(r, device, KEY_LEFTSHIFT, t, d + MS(200));
                        tap(r, device, KEY_LEFTCTRL, t + MS(100), d);
                        tap(r, device, KEY_W, t + MS(50), d + MS(300));
                        if (chance(60))
                                tap(r, device, KEY_LEFTALT, t + rnd_ms(150, 600), d - MS(100));
                }
                t += d + MS(400);
        }
        r->n_scenarios[2]++;
}

/* The engine's view of which key is down is per seat: a game that presses a
 * key already held by the random taps above would only be ignored, but
 * physically a key cannot go down twice.  Drop every press of a key that is
 * still down on its device, and the release that belongs to it. */
static void dedup_edges(Replay *r) {
        size_t out = 0;
        /* Per device and code: how many presses are open, of which the
         * first is the real one. */
        static uint8_t depth[_DEV_MAX][KEY_CNT];

        qsort(r->edges, r->n_edges, sizeof(Edge), edge_compare);
        for (size_t i = 0; i < r->n_edges; i++) {
                Edge e = r->edges[i];
                uint8_t *d = &depth[e.device][e.code];

                if (e.device == DEV_POWER_BUTTON) {
                        r->edges[out++] = e;
                        continue;
                }
                if (e.value) {
                        if ((*d)++ == 0)
                                r->edges[out++] = e;
                } else {
                        ASSERT_TRUE(*d > 0);
                        if (--(*d) == 0)
                                r->edges[out++] = e;
                }
        }
        for (unsigned dev = 0; dev < _DEV_MAX; dev++)
                for (unsigned c = 0; c < KEY_CNT; c++)
                        ASSERT_EQ(depth[dev][c], 0);
        r->n_edges = out;
}

TEST(shipped_config_no_false_triggers) {
        _cleanup_(config_freep) Config *c = load_shipped_config();
        const Trigger *chord_trigger = keyboard_chord(c);
        const char *seed_env = getenv("HOTKEYD_REPLAY_SEED");
        uint64_t seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 0) : REPLAY_SEED;
        Replay r = { .config = c, .now = SEC(1000) };
        Text text = {};
        char *text_data;
        unsigned long long triggers_before;

        text_data = read_source_file("docs/ARCHITECTURE.md", &text.size);
        text.data = text_data;
        rng_state = seed;
        keymap_init();
        ASSERT_TRUE(c->n_triggers <= ELEMENTSOF(r.triggers_by));
        ASSERT_EQ(gesture_engine_new(c, on_gesture, &r, &r.engine), 0);

        while (r.n_presses + r.n_releases < REPLAY_EDGES_MIN) {
                uint64_t which = rnd(0, 99);

                if (which < 50)
                        scenario_typing(&r, &text);
                else if (which < 80)
                        scenario_shortcuts(&r);
                else
                        scenario_game(&r);
                dedup_edges(&r);
                flush(&r, chord_trigger);
        }

        fprintf(stderr,
                "seed 0x%" PRIx64 "; %" PRIu64 " key events fed (%" PRIu64 " presses, %" PRIu64 " releases, %" PRIu64
                " autorepeats) over %.1f h of virtual time: %" PRIu64 " typing (%" PRIu64 " passes of the text), %" PRIu64
                " shortcut, %" PRIu64 " game scenarios\n",
                seed, r.n_fed, r.n_presses, r.n_releases, r.n_repeats, (double) r.now / USEC_PER_SEC / 3600,
                r.n_scenarios[0], text.passes, r.n_scenarios[1], r.n_scenarios[2]);
        for (size_t i = 0; i < c->n_triggers; i++)
                fprintf(stderr, "  %-20s triggers %" PRIu64 ", hold-starts %" PRIu64 "\n", c->triggers[i].name,
                        r.triggers_by[i], r.hold_starts_by[i]);
        fprintf(stderr, "  at most %" PRIu64 " of the %zu keys of %s were down at once\n", r.max_chord_keys,
                chord_trigger->n_keys, chord_trigger->name);

        ASSERT_TRUE(r.n_presses + r.n_releases >= REPLAY_EDGES_MIN);
        ASSERT_UEQ(r.n_triggers, 0);
        /* The chord never began: no "keep holding" window in everyday use. */
        ASSERT_UEQ(r.hold_starts_by[trigger_index(&r, chord_trigger)], 0);

        /* The control: the chord itself, on the engine that saw all this,
         * held for its HoldSec (the keys one after the other, released
         * a little after the hold completed). */
        triggers_before = r.n_triggers;
        r.scenario = "the control";
        {
                usec_t t = r.now, all_down = 0;

                for (size_t k = 0; k < chord_trigger->n_keys; k++, t += rnd_ms(50, 300)) {
                        edge(&r, DEV_LAPTOP, chord_trigger->keys[k], 1, t);
                        all_down = t;
                }
                for (size_t k = 0; k < chord_trigger->n_keys; k++)
                        edge(&r, DEV_LAPTOP, chord_trigger->keys[k], 0,
                             all_down + chord_trigger->hold_usec + rnd_ms(100, 300));
                flush(&r, chord_trigger);
        }
        fprintf(stderr, "control: %s held for %.1f s: %llu trigger(s)\n", chord_trigger->name,
                (double) chord_trigger->hold_usec / USEC_PER_SEC, (unsigned long long) (r.n_triggers - triggers_before));
        ASSERT_UEQ(r.n_triggers - triggers_before, 1);
        ASSERT_UEQ(r.triggers_by[trigger_index(&r, chord_trigger)], 1);

        gesture_engine_free(r.engine);
        free(r.edges);
        free(text_data);
}

/* The chord held a millisecond less than its HoldSec completes nothing, so
 * the control above measures the shipped hold, not any hold. */
TEST(keyboard_chord_needs_its_full_hold) {
        _cleanup_(config_freep) Config *c = load_shipped_config();
        const Trigger *chord_trigger = keyboard_chord(c);
        Replay r = { .config = c, .now = SEC(10) };
        usec_t t = r.now;

        rng_state = REPLAY_SEED;
        ASSERT_EQ(gesture_engine_new(c, on_gesture, &r, &r.engine), 0);
        for (size_t k = 0; k < chord_trigger->n_keys; k++, t += MS(100))
                feed_one(&r, DEV_USB, chord_trigger->keys[k], 1, t);
        t -= MS(100);
        ASSERT_UEQ(r.n_hold_starts, 1);
        for (size_t k = 0; k < chord_trigger->n_keys; k++)
                feed_one(&r, DEV_USB, chord_trigger->keys[k], 0, t + chord_trigger->hold_usec - MS(1));
        gesture_engine_advance(r.engine, t + SEC(60));
        ASSERT_UEQ(r.n_triggers, 0);
        ASSERT_UEQ(r.n_hold_cancels, 1);
        gesture_engine_free(r.engine);
}

/* The keyboard chord must not make hotkeyd take a logind inhibitor: those
 * are taken for the keys logind acts on only, and Ctrl, Alt and Shift must
 * keep reaching the desktop untouched.  And it must not need the power key,
 * so that it works where the power button cannot report a hold. */
TEST(keyboard_chord_takes_no_logind_key) {
        _cleanup_(config_freep) Config *c = load_shipped_config();
        const Trigger *chord_trigger = keyboard_chord(c);

        ASSERT_TRUE(chord_trigger->n_keys >= 2);
        ASSERT_FALSE(chord_trigger->seat);
        for (size_t k = 0; k < chord_trigger->n_keys; k++)
                ASSERT_EQ(logind_key_from_code(chord_trigger->keys[k]), -EINVAL);

        /* The power key keeps its normal press: no Presses= trigger on it. */
        for (size_t i = 0; i < c->n_triggers; i++)
                if (c->triggers[i].kind == TRIGGER_PRESSES)
                        for (size_t k = 0; k < c->triggers[i].n_keys; k++)
                                ASSERT_TRUE(c->triggers[i].keys[k] != KEY_POWER);
}

TEST_MAIN
