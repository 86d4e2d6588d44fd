import unittest

from compare_sizes import wasted

MB = 1_000_000


def layer(files=None, whiteouts=(), opaque=()):
    return {"files": files or {}, "whiteouts": list(whiteouts), "opaque": list(opaque)}


class Wasted(unittest.TestCase):
    def test_nothing_hidden_wastes_nothing(self):
        result = wasted.waste([layer({"/a": 5}), layer({"/b": 7})])
        self.assertEqual(result, {"wasted_bytes": 0, "efficiency": 1.0, "offenders": []})

    def test_10_mb_written_then_removed(self):
        result = wasted.waste([layer({"/bin/sh": 1 * MB}), layer({"/big": 10 * MB}),
                               layer(whiteouts=["/big"])])
        self.assertEqual(result["wasted_bytes"], 10 * MB)
        self.assertEqual(result["offenders"],
                         [{"path": "/big", "bytes": 10 * MB, "how": "deleted", "layer": 2}])
        # dive: /big seen at 10 MB and at 0 (deleted): its smallest is 0.
        self.assertAlmostEqual(result["efficiency"], 1 * MB / (11 * MB))

    def test_an_overwritten_file_wastes_its_older_versions(self):
        result = wasted.waste([layer({"/f": 3}), layer({"/f": 5}), layer({"/f": 2})])
        self.assertEqual(result["wasted_bytes"], 8)
        self.assertEqual(result["offenders"], [{"path": "/f", "bytes": 8, "how": "overwritten", "layer": 2}])
        self.assertAlmostEqual(result["efficiency"], 2 / 10)

    def test_a_deleted_directory_hides_everything_under_it(self):
        result = wasted.waste([layer({"/d/x": 4, "/d/y": 6, "/dx": 1}), layer(whiteouts=["/d"])])
        self.assertEqual(result["wasted_bytes"], 10)
        self.assertEqual([o["path"] for o in result["offenders"]], ["/d/y", "/d/x"])

    def test_an_opaque_directory_hides_only_what_is_below(self):
        result = wasted.waste([layer({"/d/old": 4}), layer({"/d/new": 3}, opaque=["/d"])])
        self.assertEqual(result["wasted_bytes"], 4)
        self.assertEqual(result["offenders"][0]["path"], "/d/old")

    def test_offenders_largest_first_and_capped(self):
        files = {f"/f{i}": i + 1 for i in range(20)}
        result = wasted.waste([layer(files), layer(whiteouts=list(files))], top=3)
        self.assertEqual([o["path"] for o in result["offenders"]], ["/f19", "/f18", "/f17"])
        self.assertEqual(result["wasted_bytes"], sum(files.values()))

    def test_no_layers(self):
        self.assertEqual(wasted.waste([]), {"wasted_bytes": 0, "efficiency": 1.0, "offenders": []})


if __name__ == "__main__":
    unittest.main()
