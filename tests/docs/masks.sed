# What varies between two runs of the same command, replaced by a word, so
# that a post can show real output and still be compared with a new run.
# Applied to both the post's text and the actual output (sed -E).
s/\b(deployment-askeladden-dev)-[bcdfghjklmnpqrstvwxz2456789]{8,10}-[bcdfghjklmnpqrstvwxz2456789]{5}\b/\1-POD/g
s/\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)/(UID)/g
s/sha256:[0-9a-f]{64}/sha256:DIGEST/g
s/\b[0-9a-f]{64}\b/ID/g
s/\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g
s/\b[0-9]{1,3}(\.[0-9]{1,3}){3}:[0-9]+ "/ADDR "/g
s/\b[0-9a-f]{7,12}(-dirty)?\b/HEX/g
s/\b[0-9]+(\.[0-9]+)? ?(B|kB|KB|MB|GB|TB)\b/SIZE/g
s/\b[0-9]+(\.[0-9]+)?x\b/Nx/g
s/\b(About an?|Less than a|[0-9]+) (second|minute|hour|day|week|month|year)s? ago\b/AGO/g
s/\b[0-9]+ threads?\b/N threads/g
s/\b[0-9]{6,}\b/BYTES/g
s/\bsize: [0-9]+$/size: N/
s/^#[0-9]+ /#N /
s/ [0-9]+[smhd]([0-9]+[smh])?$/ AGE/
s#docker-pullable://##
s/cluster via '[^']*'/cluster via KUBECTL/
s/ DONE [0-9]+\.[0-9]+s$/ DONE Ts/
s/^request [0-9]+:/request N:/
s/^[0-9]+ requests: [0-9]+ answered 200,/N requests: N answered 200,/
s/[[:space:]]+/ /g
s/ $//
