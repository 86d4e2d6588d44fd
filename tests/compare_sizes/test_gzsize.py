import gzip
import random
import unittest

import fixture  # noqa: F401
from compare_sizes import gzsize


def sample(n):
    rng = random.Random(1)
    words = [bytes(rng.choice(b"abcdefghij") for _ in range(rng.randint(2, 9))) for _ in range(300)]
    return b" ".join(rng.choice(words) for _ in range(n // 5))[:n]


def counted(data, threads, piece):
    pool = gzsize.Pool(threads)
    try:
        counter = gzsize.Counter(pool)
        for i in range(0, len(data), piece):
            counter.feed(data[i:i + piece])
        return counter.total()
    finally:
        pool.close()


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
