import unittest

from compare_sizes import config_diff

FAT = {"config": {"Entrypoint": None, "Cmd": ["/bin/sh", "-c", "./askeladden"],
                  "Env": ["PATH=/usr/bin", "GCC_VERSION=12"], "WorkingDir": "/src",
                  "ExposedPorts": {"8090/tcp": {}}}}
SLIM = {"config": {"User": "10001:10001", "Entrypoint": ["/usr/local/bin/askeladden"],
                   "Env": ["PATH=/usr/bin"], "ExposedPorts": {"8090/tcp": {}},
                   "Labels": {"org.opencontainers.image.source": "x"}, "StopSignal": "SIGTERM",
                   "Healthcheck": {"Test": ["CMD", "askeladden", "--version"]}}}


class Settings(unittest.TestCase):
    def test_forms_are_named(self):
        self.assertEqual(config_diff.command(["/bin/sh", "-c", "make run"]), "shell form: make run")
        self.assertEqual(config_diff.command(["/app", "--port", "1"]), 'exec form: ["/app", "--port", "1"]')
        self.assertEqual(config_diff.command(None), "(none)")

    def test_what_is_unset_says_its_default(self):
        s = config_diff.settings({"config": {}})
        self.assertEqual(s["user"], "root (none set)")
        self.assertEqual(s["working directory"], "/ (none set)")
        self.assertEqual(s["stop signal"], "SIGTERM (none set)")
        self.assertEqual(s["healthcheck"], "(none)")

    def test_fat_against_slim(self):
        rows = {r["name"]: r for r in config_diff.compare(FAT, SLIM)}
        self.assertEqual(list(rows), ["user", "entrypoint", "cmd", "environment", "exposed ports",
                                      "working directory", "labels", "healthcheck", "stop signal"])
        self.assertEqual(rows["user"]["b"], "10001:10001")
        self.assertFalse(rows["user"]["same"])
        self.assertEqual(rows["cmd"]["a"], "shell form: ./askeladden")
        self.assertEqual(rows["entrypoint"]["b"], 'exec form: ["/usr/local/bin/askeladden"]')
        self.assertTrue(rows["exposed ports"]["same"])
        self.assertEqual(rows["labels"]["b"], "org.opencontainers.image.source=x")
        self.assertEqual(rows["healthcheck"]["b"], "askeladden --version")
        self.assertEqual(rows["environment"]["a"], "PATH=/usr/bin, GCC_VERSION=12")

    def test_a_disabled_healthcheck(self):
        self.assertEqual(config_diff.settings({"config": {"Healthcheck": {"Test": ["NONE"]}}})["healthcheck"],
                         "disabled")


if __name__ == "__main__":
    unittest.main()
