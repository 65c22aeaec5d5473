import sys, time
sys.path.insert(0, 'tests/integration')
from hotkeyd_testbed import Testbed, evemu_events
import importlib.util
spec = importlib.util.spec_from_file_location('ti', 'tests/integration/test-input.py'); ti = importlib.util.module_from_spec(spec); spec.loader.exec_module(ti)
n = int(sys.argv[1])
bed = Testbed(); bed.start(ti.POWER_3S); dev = ti.keyboard(bed); bed.plug(dev)
events = []; t = 0.05
for i in range(n):
    key = ['KEY_A', 'KEY_S', 'KEY_D', 'KEY_F', 'KEY_VOLUMEUP'][i % 5]
    events += [(t, key, 1), (t, key, 2), (t + 0.0005, key, 0)]; t += 0.001
s = time.monotonic(); print('play', n, flush=True)
dev.play(events); print('loaded', time.monotonic() - s, flush=True)
bed.settle(t + 0.5); print('settled', time.monotonic() - s, bed.texts(), flush=True)
bed.stop()
