#!/usr/bin/python3
"""Generates src/tokenize/unicode_tables.cpp: the Unicode data that transformers 4.31's slow
tokenizers take from Python's `unicodedata` and `str` methods: BERT's BasicTokenizer, ALBERT's
preprocess_text (NFKD, unicodedata.combining, str.lower, str.isdigit), and the letter and
number classes of GPT-2's and RoBERTa's pre-tokenization pattern.

Run with Debian 12's /usr/bin/python3 (Python 3.11.2, unicodedata.unidata_version 14.0.0), the
interpreter that produced the fixtures in ../shared/fixtures/hf:

    /usr/bin/python3 src/tokenize/make_unicode_tables.py > src/tokenize/unicode_tables.cpp

The script refuses to run on another Unicode version unless --any-version is given.

Tables (all sorted by code point, all compact):
  * categories:    runs (first code point, class) over U+0000..U+10FFFF, class one of
                   other / C* (control, format, unassigned, private use, surrogate) / Zs / P* / Mn /
                   L* / N* (the last two for the \\p{L} and \\p{N} of GPT-2's pre-tokenizer);
  * python_spaces: the code points for which str.isspace() is true (str.split(), str.strip());
  * lowercase:     str.lower() of single code points: runs (first, count, stride, delta) of
                   one-to-one mappings, plus the few one-to-many mappings (U+0130 -> i U+0307);
  * decompositions: the full canonical decomposition (unicodedata.normalize("NFD", c)) of every
                   code point that has one, except the algorithmic Hangul syllables;
  * combining:     runs (first, last, canonical combining class) of the non-zero classes;
  * compositions:  the primary composites (first, second) -> composite, i.e. the two-code-point
                   canonical decompositions that are not composition exclusions (Hangul apart);
  * compat_decompositions: unicodedata.normalize("NFKD", c) of every code point whose NFKD
                   differs from its NFD (the others take the canonical table, or Hangul);
  * digits:        ranges (first, last) of the code points for which str.isdigit() is true;
  * case:          runs (first, kind) over U+0000..U+10FFFF of what str.lower()'s Final_Sigma
                   rule looks at: case-ignorable, cased (and not case-ignorable), or neither.

Before writing anything the script re-implements NFD/NFC and lower() from these tables and
checks them against `unicodedata.normalize` / `str.lower` for every code point and for random
strings, and checks the facts that src/tokenize/wordpiece.cpp relies on (see `check_lowercase`).
The algorithms themselves are in src/tokenize/unicode.cpp.
"""
import random
import sys
import unicodedata

EXPECTED_UNICODE = "14.0.0"
MAX_CP = 0x10FFFF

(CLASS_OTHER, CLASS_CONTROL, CLASS_SPACE_SEPARATOR, CLASS_PUNCTUATION, CLASS_NONSPACING_MARK, CLASS_LETTER,
 CLASS_NUMBER) = range(7)
CLASS_NAMES = ["kOther", "kControl", "kSpaceSeparator", "kPunctuation", "kNonspacingMark", "kLetter", "kNumber"]


def is_surrogate(cp):
    return 0xD800 <= cp <= 0xDFFF


def char_class(cp):
    cat = unicodedata.category(chr(cp))
    if cat[0] == "C":
        return CLASS_CONTROL
    if cat == "Zs":
        return CLASS_SPACE_SEPARATOR
    if cat[0] == "P":
        return CLASS_PUNCTUATION
    if cat == "Mn":
        return CLASS_NONSPACING_MARK
    if cat[0] == "L":
        return CLASS_LETTER
    if cat[0] == "N":
        return CLASS_NUMBER
    return CLASS_OTHER


def category_runs():
    runs = []
    previous = None
    for cp in range(MAX_CP + 1):
        k = char_class(cp)
        if k != previous:
            runs.append((cp, k))
            previous = k
    return runs


def lowercase_tables():
    single, multi = [], []
    for cp in range(MAX_CP + 1):
        if is_surrogate(cp):
            continue
        lowered = chr(cp).lower()
        if lowered == chr(cp):
            continue
        if len(lowered) == 1:
            single.append((cp, ord(lowered)))
        else:
            multi.append((cp, [ord(x) for x in lowered]))
    runs = []
    i = 0
    while i < len(single):
        cp, low = single[i]
        delta = low - cp
        j = i + 1
        stride = 1
        if j < len(single) and single[j][1] - single[j][0] == delta and single[j][0] - cp in (1, 2):
            stride = single[j][0] - cp
            while (j < len(single) and single[j][1] - single[j][0] == delta
                   and single[j][0] - single[j - 1][0] == stride):
                j += 1
        runs.append((cp, j - i, stride, delta))
        i = j
    return runs, multi


def canonical_decomposition_raw(cp):
    d = unicodedata.decomposition(chr(cp))
    if not d or d.startswith("<"):
        return None
    return [int(x, 16) for x in d.split()]


def decomposition_table():
    table = []
    for cp in range(MAX_CP + 1):
        if is_surrogate(cp) or canonical_decomposition_raw(cp) is None:
            continue
        full = [ord(x) for x in unicodedata.normalize("NFD", chr(cp))]
        table.append((cp, full))
    return table


def combining_runs():
    runs = []
    for cp in range(MAX_CP + 1):
        ccc = unicodedata.combining(chr(cp))
        if ccc == 0:
            continue
        if runs and runs[-1][1] == cp - 1 and runs[-1][2] == ccc:
            runs[-1] = (runs[-1][0], cp, ccc)
        else:
            runs.append((cp, cp, ccc))
    return runs


def composition_table():
    pairs = []
    for cp in range(MAX_CP + 1):
        if is_surrogate(cp):
            continue
        raw = canonical_decomposition_raw(cp)
        if raw is None or len(raw) != 2:
            continue
        # A composition exclusion never survives NFC; a primary composite is its own NFC.
        if unicodedata.normalize("NFC", chr(cp)) != chr(cp):
            continue
        pairs.append((raw[0], raw[1], cp))
    pairs.sort()
    return pairs


def compat_decomposition_table():
    table = []
    for cp in range(MAX_CP + 1):
        if is_surrogate(cp):
            continue
        full = unicodedata.normalize("NFKD", chr(cp))
        if full != unicodedata.normalize("NFD", chr(cp)):
            table.append((cp, [ord(x) for x in full]))
    return table


def digit_ranges():
    ranges = []
    for cp in range(MAX_CP + 1):
        if is_surrogate(cp) or not chr(cp).isdigit():
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


CASE_NONE, CASE_CASED, CASE_IGNORABLE = range(3)
CASE_NAMES = ["kUncased", "kCased", "kCaseIgnorable"]
CAPITAL_SIGMA, SMALL_SIGMA, FINAL_SIGMA = 0x3A3, 0x3C3, 0x3C2


def case_kind(cp):
    """What Final_Sigma sees of cp, probed through str.lower() itself (Python has no API for
    the Cased and Case_Ignorable properties): a case-ignorable code point is skipped, so whether
    it is also cased never matters."""
    c = chr(cp)
    if ("A" + c + "\u03a3").lower()[-1] == chr(FINAL_SIGMA) and (c + "\u03a3").lower()[-1] != chr(FINAL_SIGMA):
        return CASE_IGNORABLE
    if (c + "\u03a3").lower()[-1] == chr(FINAL_SIGMA):
        return CASE_CASED
    return CASE_NONE


def case_runs():
    runs = []
    previous = None
    for cp in range(MAX_CP + 1):
        k = CASE_NONE if is_surrogate(cp) else case_kind(cp)
        if k != previous:
            runs.append((cp, k))
            previous = k
    return runs


# --- a re-implementation from the tables, checked against unicodedata -------------------------

S_BASE, L_BASE, V_BASE, T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
L_COUNT, V_COUNT, T_COUNT = 19, 21, 28
N_COUNT = V_COUNT * T_COUNT
S_COUNT = L_COUNT * N_COUNT


class Model:
    def __init__(self, decompositions, combining, compositions, lower_runs, lower_multi,
                 compat_decompositions=(), digits=(), cases=()):
        self.decomp = dict(decompositions)
        self.compat = dict(compat_decompositions)
        self.digits = set()
        for first, last in digits:
            self.digits.update(range(first, last + 1))
        self.case = {}
        for i, (first, kind) in enumerate(cases):
            end = cases[i + 1][0] if i + 1 < len(cases) else MAX_CP + 1
            if kind != CASE_NONE:
                for cp in range(first, end):
                    self.case[cp] = kind
        self.ccc = {}
        for first, last, ccc in combining:
            for cp in range(first, last + 1):
                self.ccc[cp] = ccc
        self.comp = {(a, b): c for a, b, c in compositions}
        self.lower = {}
        for first, count, stride, delta in lower_runs:
            for k in range(count):
                self.lower[first + k * stride] = [first + k * stride + delta]
        for cp, seq in lower_multi:
            self.lower[cp] = seq

    def nfd(self, cps, compat=False):
        out = []
        for cp in cps:
            if compat and cp in self.compat:
                out += self.compat[cp]
            elif S_BASE <= cp < S_BASE + S_COUNT:
                s = cp - S_BASE
                out += [L_BASE + s // N_COUNT, V_BASE + (s % N_COUNT) // T_COUNT]
                if s % T_COUNT:
                    out.append(T_BASE + s % T_COUNT)
            else:
                out += self.decomp.get(cp, [cp])
        # canonical ordering: stable sort of each run of non-starters by class
        i = 0
        while i < len(out):
            if self.ccc.get(out[i], 0) == 0:
                i += 1
                continue
            j = i
            while j < len(out) and self.ccc.get(out[j], 0) != 0:
                j += 1
            out[i:j] = sorted(out[i:j], key=lambda c: self.ccc[c])
            i = j
        return out

    def nfc(self, cps):
        out = []
        starter = None  # index in out of the last starter (class 0), None before the first
        last_ccc = None  # class of the last code point kept after that starter, None if none
        for cp in self.nfd(cps):
            ccc = self.ccc.get(cp, 0)
            # cp is blocked from the starter unless it is adjacent to it or every code point in
            # between has a non-zero class lower than its own (they all have non-zero classes)
            if starter is not None and (last_ccc is None or last_ccc < ccc):
                composed = self.compose(out[starter], cp)
                if composed is not None:
                    out[starter] = composed
                    continue
            if ccc == 0:
                starter, last_ccc = len(out), None
            else:
                last_ccc = ccc
            out.append(cp)
        return out

    def compose(self, a, b):
        if L_BASE <= a < L_BASE + L_COUNT and V_BASE <= b < V_BASE + V_COUNT:
            return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT
        if (S_BASE <= a < S_BASE + S_COUNT and (a - S_BASE) % T_COUNT == 0
                and T_BASE < b < T_BASE + T_COUNT):
            return a + (b - T_BASE)
        return self.comp.get((a, b))

    def lowercase(self, cp):
        return self.lower.get(cp, [cp])

    def lower_string(self, cps):
        """str.lower(): one code point at a time, but for capital sigma's Final_Sigma context."""
        out = []
        for i, cp in enumerate(cps):
            if cp != CAPITAL_SIGMA:
                out += self.lowercase(cp)
                continue
            j = i - 1
            while j >= 0 and self.case.get(cps[j]) == CASE_IGNORABLE:
                j -= 1
            final = j >= 0 and self.case.get(cps[j]) == CASE_CASED
            if final:
                j = i + 1
                while j < len(cps) and self.case.get(cps[j]) == CASE_IGNORABLE:
                    j += 1
                final = j == len(cps) or self.case.get(cps[j]) != CASE_CASED
            out.append(FINAL_SIGMA if final else SMALL_SIGMA)
        return out


def check(model):
    def s(cps):
        return "".join(chr(c) for c in cps)

    for cp in range(MAX_CP + 1):
        if is_surrogate(cp):
            continue
        c = chr(cp)
        for form, fn in (("NFD", model.nfd), ("NFC", model.nfc)):
            if s(fn([cp])) != unicodedata.normalize(form, c):
                sys.exit(f"table check failed: {form} of U+{cp:04X}")
        if s(model.lowercase(cp)) != c.lower():
            sys.exit(f"table check failed: lower() of U+{cp:04X}")
    # random strings dense in starters, marks of every class, Hangul jamo and composites
    marks = sorted(model.ccc)
    pool = (marks + [a for a, _ in model.comp] + [b for _, b in model.comp] + list(model.decomp)
            + list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176)) + list(range(0x11A8, 0x11C3))
            + list(range(0xAC00, 0xAC40)) + list(range(0x41, 0x5B)) + [0x20])
    rng = random.Random(20230718)
    for _ in range(200000):
        cps = [rng.choice(pool) for _ in range(rng.randint(1, 8))]
        for form, fn in (("NFD", model.nfd), ("NFC", model.nfc)):
            if s(fn(cps)) != unicodedata.normalize(form, s(cps)):
                sys.exit(f"table check failed: {form} of {[hex(c) for c in cps]}")


def check_albert(model):
    """ALBERT's preprocess_text: NFKD per code point (then canonical ordering), combining classes,
    str.isdigit() and str.lower() with Final_Sigma, against Python for every code point and for
    random strings."""
    def s(cps):
        return "".join(chr(c) for c in cps)

    for cp in range(MAX_CP + 1):
        if is_surrogate(cp):
            continue
        c = chr(cp)
        if s(model.nfd([cp], compat=True)) != unicodedata.normalize("NFKD", c):
            sys.exit(f"table check failed: NFKD of U+{cp:04X}")
        if (cp in model.digits) != c.isdigit():
            sys.exit(f"table check failed: isdigit() of U+{cp:04X}")
    marks = sorted(model.ccc)
    cased = [cp for cp, k in model.case.items() if k == CASE_CASED]
    ignorable = [cp for cp, k in model.case.items() if k == CASE_IGNORABLE]
    rng = random.Random(20230719)
    compat = sorted(model.compat)
    pool = marks + compat + list(range(0x41, 0x5B)) + [0x20, 0x2C]
    for _ in range(100000):
        cps = [rng.choice(pool) for _ in range(rng.randint(1, 8))]
        if s(model.nfd(cps, compat=True)) != unicodedata.normalize("NFKD", s(cps)):
            sys.exit(f"table check failed: NFKD of {[hex(c) for c in cps]}")
    sigma_pool = [CAPITAL_SIGMA] * 8 + [0x20, 0x2C, 0x41, 0x61, 0x3A0, 0x2140]
    for _ in range(200000):
        cps = [rng.choice(sigma_pool if rng.random() < 0.5 else
                          (cased if rng.random() < 0.5 else ignorable))
               for _ in range(rng.randint(1, 8))]
        if s(model.lower_string(cps)) != s(cps).lower():
            sys.exit(f"table check failed: lower() of {[hex(c) for c in cps]}")


def check_lowercase(model):
    """wordpiece.cpp lower-cases each code point alone (the regex pass of PreTrainedTokenizer.tokenize
    in transformers 4.31 lower-cases one character per match) and then skips BasicTokenizer's second
    `token.lower()`. That is exact when lower() is idempotent on single code points and the text
    stays lower-case through _clean_text and NFC, which these checks prove from the tables:
      1. every code point of c.lower() is its own lower();
      2. the NFD of a code point that is its own lower() consists of such code points;
      3. composing two such code points gives such a code point (and so does NFC of one).
    Then no capital sigma (U+03A3) is left for the Final_Sigma rule either."""
    def stable(cp):
        return chr(cp).lower() == chr(cp)

    for cp in range(MAX_CP + 1):
        if is_surrogate(cp):
            continue
        for x in chr(cp).lower():
            if not stable(ord(x)):
                sys.exit(f"lower() is not idempotent on U+{cp:04X}")
        if stable(cp):
            if not all(stable(x) for x in model.nfd([cp])):
                sys.exit(f"NFD of lower-case U+{cp:04X} is not lower-case")
            if not all(stable(x) for x in model.nfc([cp])):
                sys.exit(f"NFC of lower-case U+{cp:04X} is not lower-case")
    for (a, b), c in model.comp.items():
        if stable(a) and stable(b) and not stable(c):
            sys.exit(f"composing lower-case U+{a:04X} U+{b:04X} gives upper-case U+{c:04X}")
    for a in range(L_BASE, L_BASE + L_COUNT):  # Hangul has no case
        if not stable(a):
            sys.exit("Hangul jamo with case")


def check_nfc_shortcut(model):
    """wordpiece.cpp skips NFC for text below U+0300: such code points are their own NFC and none
    is the second half of a composition (and all have class 0)."""
    for cp in range(0x300):
        if model.nfc([cp]) != [cp] or model.ccc.get(cp, 0) != 0:
            sys.exit(f"U+{cp:04X} is not NFC-stable")
    if min(b for _, b in model.comp) < 0x300:
        sys.exit("a composition has a second code point below U+0300")


# --- output --------------------------------------------------------------------------------------

def rows(items, per_line):
    lines = []
    for i in range(0, len(items), per_line):
        lines.append("    " + " ".join(items[i:i + per_line]))
    return "\n".join(lines)


def main():
    if unicodedata.unidata_version != EXPECTED_UNICODE and "--any-version" not in sys.argv:
        sys.exit(f"Unicode {unicodedata.unidata_version} here, {EXPECTED_UNICODE} expected "
                 "(Python 3.11 as in transformers 4.31's fixtures); pass --any-version to override")

    categories = category_runs()
    spaces = [cp for cp in range(MAX_CP + 1) if chr(cp).isspace()]
    lower_runs, lower_multi = lowercase_tables()
    decompositions = decomposition_table()
    combining = combining_runs()
    compositions = composition_table()
    compat_decompositions = compat_decomposition_table()
    digits = digit_ranges()
    cases = case_runs()

    model = Model(decompositions, combining, compositions, lower_runs, lower_multi,
                  compat_decompositions, digits, cases)
    check(model)
    check_lowercase(model)
    check_nfc_shortcut(model)
    check_albert(model)

    pool = []
    decomposition_entries = []
    for cp, full in decompositions:
        decomposition_entries.append((cp, len(pool), len(full)))
        pool += full
    multi_pool = []
    multi_entries = []
    for cp, seq in lower_multi:
        multi_entries.append((cp, len(multi_pool), len(seq)))
        multi_pool += seq
    compat_pool = []
    compat_entries = []
    for cp, full in compat_decompositions:
        compat_entries.append((cp, len(compat_pool), len(full)))
        compat_pool += full

    # the field widths of unicode_tables.hpp
    if not (all(n < 1 << 16 and st < 1 << 8 for _, n, st, _ in lower_runs)
            and len(pool) < 1 << 16 and len(multi_pool) < 1 << 16 and len(compat_pool) < 1 << 16
            and all(len(f) < 1 << 8 for _, f in decompositions + compat_decompositions)
            and all(c < 1 << 8 for _, _, c in combining)):
        sys.exit("a table value does not fit its field")

    out = []
    w = out.append
    w("// GENERATED by src/tokenize/make_unicode_tables.py -- do not edit.")
    w(f"// Python {sys.version.split()[0]}, unicodedata {unicodedata.unidata_version}"
      " (Debian 12 /usr/bin/python3, as used for transformers 4.31's fixtures).")
    w("// See unicode_tables.hpp for the layout of each table.")
    w('#include "tokenize/unicode_tables.hpp"')
    w("")
    w("namespace conceptlens::tokenize::unicode_data {")
    w("")
    w(f'const char* const kUnicodeVersion = "{unicodedata.unidata_version}";')
    w("")
    w(f"const CategoryRun kCategoryRuns[] = {{")
    w(rows([f"{{0x{cp:X}, {CLASS_NAMES[k]}}}," for cp, k in categories], 5))
    w("};")
    w(f"const std::size_t kCategoryRunCount = {len(categories)};")
    w("")
    w("const char32_t kPythonSpaces[] = {")
    w(rows([f"0x{cp:X}," for cp in spaces], 10))
    w("};")
    w(f"const std::size_t kPythonSpaceCount = {len(spaces)};")
    w("")
    w("const LowerRun kLowerRuns[] = {")
    w(rows([f"{{0x{cp:X}, {n}, {st}, {d}}}," for cp, n, st, d in lower_runs], 5))
    w("};")
    w(f"const std::size_t kLowerRunCount = {len(lower_runs)};")
    w("const Expansion kLowerMulti[] = {")
    w(rows([f"{{0x{cp:X}, {o}, {n}}}," for cp, o, n in multi_entries], 5))
    w("};")
    w(f"const std::size_t kLowerMultiCount = {len(multi_entries)};")
    w("const char32_t kLowerMultiPool[] = {")
    w(rows([f"0x{cp:X}," for cp in multi_pool], 10))
    w("};")
    w("")
    w("const Expansion kDecompositions[] = {")
    w(rows([f"{{0x{cp:X}, {o}, {n}}}," for cp, o, n in decomposition_entries], 5))
    w("};")
    w(f"const std::size_t kDecompositionCount = {len(decomposition_entries)};")
    w("const char32_t kDecompositionPool[] = {")
    w(rows([f"0x{cp:X}," for cp in pool], 10))
    w("};")
    w(f"const std::size_t kDecompositionPoolSize = {len(pool)};")
    w("")
    w("const CombiningRun kCombiningRuns[] = {")
    w(rows([f"{{0x{a:X}, 0x{b:X}, {c}}}," for a, b, c in combining], 5))
    w("};")
    w(f"const std::size_t kCombiningRunCount = {len(combining)};")
    w("")
    w("const Composition kCompositions[] = {")
    w(rows([f"{{0x{a:X}, 0x{b:X}, 0x{c:X}}}," for a, b, c in compositions], 4))
    w("};")
    w(f"const std::size_t kCompositionCount = {len(compositions)};")
    w("")
    w("const Expansion kCompatDecompositions[] = {")
    w(rows([f"{{0x{cp:X}, {o}, {n}}}," for cp, o, n in compat_entries], 5))
    w("};")
    w(f"const std::size_t kCompatDecompositionCount = {len(compat_entries)};")
    w("const char32_t kCompatDecompositionPool[] = {")
    w(rows([f"0x{cp:X}," for cp in compat_pool], 10))
    w("};")
    w("")
    w("const CodePointRange kDigitRanges[] = {")
    w(rows([f"{{0x{a:X}, 0x{b:X}}}," for a, b in digits], 5))
    w("};")
    w(f"const std::size_t kDigitRangeCount = {len(digits)};")
    w("")
    w("const CaseRun kCaseRuns[] = {")
    w(rows([f"{{0x{cp:X}, {CASE_NAMES[k]}}}," for cp, k in cases], 5))
    w("};")
    w(f"const std::size_t kCaseRunCount = {len(cases)};")
    w("")
    w("}  // namespace conceptlens::tokenize::unicode_data")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
