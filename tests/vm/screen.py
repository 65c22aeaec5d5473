# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the VM's screen shows, from a QMP screendump in PPM (no image
library in the build root): the share of pixels of a few colours.

The GTK agent's windows use libadwaita's light style, as in the GUI
tests' screenshots (build/screenshots/light/): a near-white window
background with dark text, the hold window's progress bar in the blue
accent colour, and the dialog's Reset button in the destructive style once
"I understand" is checked: red text (195, 0, 0) on a pink tint (246, 217,
217).  Insensitive, it is drawn at half opacity, (225, 127, 127) on
(251, 236, 236), which is neither.  The VM's text console and cage without a window
are black: almost no light pixels."""

from dataclasses import dataclass

STEP = 3   # every 3rd pixel of every 3rd row: enough for shares of 0.1 %


@dataclass
class Screen:
    width: int
    height: int
    light: float   # all channels >= 200: GTK's window background
    dark: float    # all channels < 40: the console's and cage's background
    red: float     # a sensitive destructive-action Reset button: its red text and pink tint
    blue: float    # the accent blue of the hold window's progress bar

    def __str__(self):
        return (f'{self.width}x{self.height}, light {self.light:.1%}, dark {self.dark:.1%}, '
                f'red {self.red:.2%}, blue {self.blue:.2%}')

    @property
    def gtk_window(self):
        """A GTK window is on the screen.  They keep their natural size
        under cage: the hold window is about 5 % of 1280x800, the dialog
        about 19 %, while the console's grey text is darker than "light"."""
        return self.light >= 0.04

    @property
    def dialog(self):
        """The whole confirmation dialog is drawn (about 19 % measured;
        8 % was seen once while it was still being drawn)."""
        return self.light >= 0.15

    @property
    def empty(self):
        """No window: the black background of cage (or the console)."""
        return self.light < 0.01


def read_ppm(path):
    with open(path, 'rb') as f:
        data = f.read()
    # P6, width, height, maxval, one whitespace byte, then RGB triplets.
    fields = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b'P6' or fields[3] != b'255':
        raise ValueError(f'{path}: not an 8-bit P6 PPM ({fields})')
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def analyse(path):
    width, height, pixels = read_ppm(path)
    light = dark = red = blue = n = 0
    row = width * 3
    for y in range(0, height, STEP):
        line = pixels[y * row:(y + 1) * row]
        for x in range(0, row, 3 * STEP):
            r, g, b = line[x], line[x + 1], line[x + 2]
            n += 1
            if (r >= 150 and g < 80 and b < 80) or (r >= 240 and 200 <= g <= 225 and 200 <= b <= 225):
                red += 1
            elif r >= 200 and g >= 200 and b >= 200:
                light += 1
            elif r < 40 and g < 40 and b < 40:
                dark += 1
            elif b >= 170 and r < 100 and 90 <= g <= 170:
                blue += 1
    return Screen(width, height, light / n, dark / n, red / n, blue / n)
