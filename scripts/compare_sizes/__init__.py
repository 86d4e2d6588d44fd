"""compare-sizes: measure two container images and show where the bytes went.

One module per step of the report: images (make sure they are built), engine
(the Docker Engine API), archive and layer (read a `docker save` stream),
gzsize (what gzip makes of a layer, estimated), measure (one image's sizes and
layers), diff (paths and Debian packages), packages (dpkg's records), elf and
rootfs (what a binary needs, found in the layers), floor (the binary and its
libraries), wasted (hidden bytes), config_diff (run-time settings), report (the
JSON), render and svg (the text, Markdown and chart), budgets (--max-size); cli
(options and steps), out (messages), units (byte sizes, common/lib.sh's too),
cache and stream (their helpers). mypy.ini sets how their types are checked.
"""
