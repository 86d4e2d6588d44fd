import gzip
import random
import unittest

import fixture  # noqa: F401
from compare_sizes import gzsize


def sample(n):
    rng = random.Random(1)
    words = [bytes(rng.choice(b"abcdefghij") for _ in range(rng.randint(2, 9))) for _ in range(300)]
    return b" ".join(rng.choice(words) for _ in range(n // 5))[:n]


def text(n, seed=1):
    """Text-like bytes whose vocabulary changes every few KiB along the way,
    so that some stretches compress better than others."""
    rng = random.Random(seed)
    words = [bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 10))) for _ in range(4000)]
    parts, size = [], 0
    while size < n:
        part = b" ".join(rng.choices(words[:rng.randint(500, 4000)], k=rng.randint(1, 4) << 8))
        parts.append(part)
        size += len(part)
    return b"".join(parts)[:n]


def counter_of(data, threads, piece, **sampling):
    """(the size, the counter) of DATA fed in pieces of PIECE bytes."""
    pool = gzsize.Pool(threads, **sampling)
    try:
        counter = gzsize.Counter(pool)
        for i in range(0, len(data), piece):
            counter.feed(data[i:i + piece])
        return counter.total(), counter
    finally:
        pool.close()


def counted(data, threads, piece, **sampling):
    return counter_of(data, threads, piece, **sampling)[0]


class Counter(unittest.TestCase):
    def test_empty_input_is_an_empty_gzip_file(self):
        self.assertEqual(counted(b"", 2, 512), len(gzip.compress(b"", 6)))

    def test_one_chunk_is_exactly_gzip(self):
        data = sample(50_000)
        self.assertEqual(counted(data, 2, 700), len(gzip.compress(data, 6)))

    def test_many_chunks_stay_within_a_thousandth_of_gzip(self):
        data = sample(2_000_000)
        reference = len(gzip.compress(data, 6))
        self.assertLess(abs(counted(data, 2, 10240) - reference) / reference, 0.001)

    def test_the_size_does_not_depend_on_threads_or_pieces(self):
        data = sample(700_000)
        self.assertEqual(counted(data, 1, gzsize.CHUNK), counted(data, 3, 333))

    def test_incompressible_data_grows_a_little(self):
        data = random.Random(2).randbytes(600_000)
        self.assertGreater(counted(data, 2, 4096), len(data))
        self.assertLess(counted(data, 2, 4096), len(data) * 1.01)


MiB = 1 << 20
EVERY_CHUNK = {"every": 1}      # every chunk deflated: what a layer of any size got before sampling


class Sampling(unittest.TestCase):
    """Past a layer's first EXACT bytes, one chunk in EVERY is deflated and scaled."""

    def test_the_defaults_and_what_the_report_says_of_them(self):
        self.assertEqual((gzsize.EXACT, gzsize.EVERY), (16 * MiB, 4))
        pool = gzsize.Pool(2)
        pool.close()
        self.assertEqual(pool.describe(), "gzip -6 with zlib on 2 CPUs; past 16 MiB of a layer, 1 block in 4, scaled")
        pool = gzsize.Pool(2, every=1)
        pool.close()
        self.assertEqual(pool.describe(), "gzip -6 with zlib on 2 CPUs")

    def test_a_layer_of_exact_bytes_is_deflated_whole_and_one_byte_more_is_sampled(self):
        # At the real boundary: 16 MiB gets the figure of deflating every chunk.
        data = text(gzsize.EXACT + gzsize.CHUNK + 1)
        for size, deflated in [(gzsize.EXACT - 1, gzsize.EXACT - 1), (gzsize.EXACT, gzsize.EXACT),
                               (gzsize.EXACT + 1, gzsize.EXACT + 1),   # the first chunk past is a sample
                               (gzsize.EXACT + gzsize.CHUNK + 1, gzsize.EXACT + gzsize.CHUNK)]:
            with self.subTest(size=size):
                total, counter = counter_of(data[:size], 2, 65536)
                self.assertEqual(counter.deflated_bytes, deflated)
                if deflated == size:
                    self.assertEqual(total, counted(data[:size], 2, 65536, **EVERY_CHUNK))

    def test_under_exact_bytes_the_size_is_the_full_runs_and_one_chunk_is_gzips(self):
        data = text(3 * MiB)
        for size in (MiB - 1, MiB):
            with self.subTest(size=size):
                self.assertEqual(counted(data[:size], 2, 4096, exact=MiB),
                                 counted(data[:size], 2, 4096, exact=MiB, **EVERY_CHUNK))
        self.assertEqual(counted(data[:50_000], 2, 700, exact=MiB), len(gzip.compress(data[:50_000], 6)))

    def test_past_exact_bytes_one_chunk_in_every_is_deflated(self):
        size = MiB + 8 * gzsize.CHUNK + 100
        _, counter = counter_of(text(size), 2, 10_000, exact=MiB, every=4)
        # Chunks 0 and 4 past the first MiB, and the last 100 bytes (chunk 8).
        self.assertEqual(counter.deflated_bytes, MiB + 2 * gzsize.CHUNK + 100)
        self.assertEqual(counter.sampled_bytes, 2 * gzsize.CHUNK + 100)

    def test_the_estimate_stays_within_a_hundredth_of_gzip(self):
        data = text(16 * MiB)
        reference = len(gzip.compress(data, 6))
        estimate = counted(data, 2, 1 << 20, exact=MiB)
        self.assertLess(abs(estimate - reference) / reference, 0.01, (estimate, reference))

    def test_the_estimate_does_not_depend_on_threads_or_pieces(self):
        data = text(3 * MiB + 12345)
        self.assertEqual(counted(data, 1, gzsize.CHUNK, exact=MiB), counted(data, 3, 333, exact=MiB))
        self.assertEqual(counted(data, 2, 1 << 20, exact=MiB), counted(data, 1, 65536 + 7, exact=MiB))

    def test_incompressible_data_past_exact_bytes_grows_a_little(self):
        data = random.Random(3).randbytes(3 * MiB)
        self.assertGreater(counted(data, 2, 4096, exact=MiB), len(data))
        self.assertLess(counted(data, 2, 4096, exact=MiB), len(data) * 1.01)

    def test_exact_must_be_whole_chunks(self):
        with self.assertRaises(ValueError):
            gzsize.Pool(1, exact=MiB + 1)
