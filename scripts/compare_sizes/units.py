"""Byte sizes for people: the one definition of human_bytes, which
common/lib.sh's human_bytes runs too (python3 -m compare_sizes.units N...)."""
import re
import sys


def human_bytes(n: int) -> str:
    """Decimal units (1 MB = 10^6 bytes), as docker counts them, with one
    decimal; negative with a '-'. A value that rounds up to 1000 takes the
    next unit: 999,990 bytes is "1.0 MB", never "1000.0 kB"."""
    if n < 0:
        return "-" + human_bytes(-n)
    units = ["B", "kB", "MB", "GB", "TB"]
    value, i = float(n), 0
    while i < len(units) - 1 and (value >= 1000 if i == 0 else round(value, 1) >= 1000):
        value /= 1000
        i += 1
    return f"{int(value)} {units[i]}" if i == 0 else f"{value:.1f} {units[i]}"


_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(?:([kKmMgGtT])(i?))?[bB]?")


def parse_bytes(text: str) -> int | None:
    """80MB, 80M, 1.5GB, 75MiB or bytes: an int, or None when TEXT is no size.

    kB, MB, GB, TB (and k, M, G, T) are powers of 1000; KiB, MiB... of 1024.
    """
    m = _SIZE.fullmatch(text)
    if not m:
        return None
    number, unit, binary = m.groups()
    base = 1024 if binary else 1000
    power = "kmgt".index(unit.lower()) + 1 if unit else 0
    return int("%.0f" % (float(number) * base ** power))


def main(argv: list[str]) -> int:
    """Each argument, a whole number of bytes, as human_bytes writes it, one a line."""
    for arg in argv:
        if not re.fullmatch(r"-?[0-9]+", arg):
            print(f"human_bytes: not a number of bytes: '{arg}'", file=sys.stderr)
            return 2
    for arg in argv:
        print(human_bytes(int(arg)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
