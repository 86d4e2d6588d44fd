import copy
import json
import unittest

import test_cli
from compare_sizes import schema

try:
    import jsonschema
except ImportError:     # python3-jsonschema: scripts/setup.sh images
    jsonschema = None


@unittest.skipIf(jsonschema is None, "python3-jsonschema is not installed (scripts/setup.sh images)")
class Schema(unittest.TestCase):
    """--json's output against --json-schema's schema, made from the TypedDicts."""

    def setUp(self):
        self.validator = jsonschema.Draft202012Validator(schema.schema())
        run = test_cli.Run("test_a_whole_report_from_a_stand_in_engine")
        run.setUp()
        self.addCleanup(run.tearDown)
        self.run_ = run

    def output(self, *argv):
        status, stdout, stderr = self.run_.main("--json", *argv)
        self.assertIn(status, (0, 1), stderr)
        return json.loads(stdout)

    def test_the_schema_is_valid_and_printed_by_the_option(self):
        jsonschema.Draft202012Validator.check_schema(schema.schema())
        status, stdout, _ = test_cli.run_main("--json-schema", "--bogus-is-not-read-after-it")
        self.assertEqual(status, 2)
        status, stdout, _ = test_cli.run_main("--json-schema")
        self.assertEqual((status, json.loads(stdout)), (0, schema.schema()))

    def test_a_report_and_a_same_image_answer_are_valid(self):
        self.validator.validate(self.output("--max-size", "fat:1=1B"))
        image = self.run_.engine.image("fat:1")
        status, stdout, _ = test_cli.run_main("--json", "fat:1", image.id, environ=self.run_.environ,
                                              make_engine=lambda: self.run_.engine)
        self.validator.validate(json.loads(stdout))

    def test_a_wrong_shape_is_caught(self):
        good = self.output()
        broken = []
        for change in (lambda r: r.pop("diff"), lambda r: r.update(extra=1),
                       lambda r: r["images"][0].update(size_bytes="1 kB"),
                       lambda r: r["images"][0]["layers"][0].update(size_bytes=1.5),
                       lambda r: r["wasted"][0]["offenders"].append({"path": "/x"})):
            r = copy.deepcopy(good)
            change(r)
            broken.append(self.validator.is_valid(r))
        self.assertEqual(broken, [False] * 5)
