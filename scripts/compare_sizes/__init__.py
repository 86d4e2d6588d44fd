"""compare-sizes: measure two container images and show where the bytes went.

One module per step of the report: images (make sure they are built), engine
(the Docker Engine API), archive and layer (read a `docker save` stream),
gzsize (what gzip makes of a layer), measure (one image's sizes and layers),
diff (paths and Debian packages), floor (the binary and its libraries), report
(the JSON), render and svg (the text, Markdown and chart), budgets (--max-size).
"""
