"""Byte sizes as docker shows them: the one definition of human_bytes, which
common/lib.sh's human_bytes runs too (python3 -m compare_sizes.units N...)."""
import re
import sys


def human_bytes(n: int) -> str:
    """Decimal units as docker shows them: 1 MB = 10^6 bytes; negative with a '-'."""
    if n < 0:
        return "-" + human_bytes(-n)
    units = ["B", "kB", "MB", "GB", "TB"]
    value, i = float(n), 0
    while value >= 1000 and i < len(units) - 1:
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
