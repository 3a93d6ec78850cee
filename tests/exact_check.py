#!/usr/bin/env python3
"""An independent check of saerl's exact evaluation, in plain Python (no numpy).

Reads the Q-values that `saerl export --format npy` writes for every legal position
(DIR/export/activations/q_values.npy and positions.npy), plays the greedy policy against the
uniformly random black king with the 50-move cap by dynamic programming, written here from
the rules of docs/DESIGN.md and not from saerl's code, and compares its expected return over all
legal starts, relative to the best policy's, with dqn.return_ratio in DIR/results.json.

    python3 tests/exact_check.py DIR [--q FILE] [--key dqn.return_ratio] [--tolerance 0.005]

With --q FILE (for example DIR/export/sae-topk/q_values_spliced.npy) and --key, any other
policy given by its Q-values is checked the same way; --relative-to-dqn divides by the DQN's
own expected return instead of the best policy's, as sae.<variant>.spliced_return_ratio does:

    python3 tests/exact_check.py out --q out/export/sae-topk/q_values_spliced.npy \
        --key sae.topk.spliced_return_ratio --relative-to-dqn

Exit status 1 when the figures differ.
"""
import argparse
import ast
import json
import struct
import sys


def read_npy(path):
    """(shape, flat list) of a little-endian float32 or int32 .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError(path + ": not a .npy file")
    major = data[6]
    header_len = struct.unpack("<H", data[8:10])[0] if major == 1 else struct.unpack("<I", data[8:12])[0]
    start = 10 if major == 1 else 12
    header = ast.literal_eval(data[start:start + header_len].decode("latin1"))
    kind = {"<f4": "f", "<i4": "i"}[header["descr"]]
    count = 1
    for n in header["shape"]:
        count *= n
    body = data[start + header_len:]
    return header["shape"], list(struct.unpack("<%d%s" % (count, kind), body[:4 * count]))


class Board:
    """The rook checkmate on an n x n board: squares row * n + col, K, R white, k black."""

    KING_STEPS = [(0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1)]  # E NE N NW W SW S SE
    ROOK_DIRS = [(0, 1), (1, 0), (0, -1), (-1, 0)]  # E N W S

    def __init__(self, n):
        self.n = n
        self.actions = 8 + 4 * (n - 1)

    def rc(self, s):
        return divmod(s, self.n)

    def kings_touch(self, a, b):
        (ra, ca), (rb, cb) = self.rc(a), self.rc(b)
        return max(abs(ra - rb), abs(ca - cb)) <= 1

    def rook_hits(self, rook, wk, target):
        """Does the rook attack target? The white king blocks its line, the black king does not."""
        (rr, rc_), (tr, tc) = self.rc(rook), self.rc(target)
        if rook == target or (rr != tr and rc_ != tc):
            return False
        dr, dc = (tr > rr) - (tr < rr), (tc > rc_) - (tc < rc_)
        r, c = rr + dr, rc_ + dc
        while (r, c) != (tr, tc):
            if r * self.n + c == wk:
                return False
            r, c = r + dr, c + dc
        return True

    def legal(self, wk, wr, bk):
        return len({wk, wr, bk}) == 3 and not self.kings_touch(wk, bk) and not self.rook_hits(wr, wk, bk)

    def black_moves(self, wk, wr, bk):
        out = []
        r, c = self.rc(bk)
        for dr, dc in self.KING_STEPS:
            rr, cc = r + dr, c + dc
            if not (0 <= rr < self.n and 0 <= cc < self.n):
                continue
            s = rr * self.n + cc
            if s == wr or self.kings_touch(s, wk) or self.rook_hits(wr, wk, s):
                continue
            out.append(s)
        return out

    def white_move(self, wk, wr, bk, a):
        """(outcome, after): 'mate', 'loss' or 'on' with the position before black replies."""
        n = self.n
        if a < 8:
            dr, dc = self.KING_STEPS[a]
            r, c = self.rc(wk)
            r, c = r + dr, c + dc
            if not (0 <= r < n and 0 <= c < n):
                return "loss", None
            s = r * n + c
            if s in (wr, bk) or self.kings_touch(s, bk):
                return "loss", None
            wk = s
        else:
            dr, dc = self.ROOK_DIRS[(a - 8) // (n - 1)]
            r, c = self.rc(wr)
            for _ in range((a - 8) % (n - 1) + 1):
                r, c = r + dr, c + dc
                if not (0 <= r < n and 0 <= c < n) or r * n + c in (wk, bk):
                    return "loss", None
            wr = r * n + c
        if self.kings_touch(wr, bk) and not self.kings_touch(wr, wk):
            return "loss", None  # black takes the unprotected rook
        if self.black_moves(wk, wr, bk):
            return "on", (wk, wr, bk)
        return ("mate" if self.rook_hits(wr, wk, bk) else "loss"), None  # no move: mate or stalemate


def evaluate(board, legal, greedy):
    """Expected undiscounted return over the legal starts of the greedy policy (greedy[i] is its
    action at legal[i]; None: the best action at every step) with 50 white moves."""
    index = {p: i for i, p in enumerate(legal)}
    # per position and action: +100 mate, -100 loss, or the legal ids black may reply into
    table = []
    for wk, wr, bk in legal:
        row = []
        for a in range(board.actions):
            outcome, after = board.white_move(wk, wr, bk, a)
            if outcome != "on":
                row.append(100.0 if outcome == "mate" else -100.0)
            else:
                row.append([index[(after[0], after[1], m)] for m in board.black_moves(*after)])
        table.append(row)
    value = [0.0] * len(legal)
    for moves_left in range(1, 51):
        new = []
        for i, row in enumerate(table):
            choices = row if greedy is None else [row[greedy[i]]]
            best = -1e300
            for t in choices:
                if isinstance(t, float):
                    v = t
                elif moves_left == 1:
                    v = -100.0  # the 50th move without mate
                else:
                    v = -1.0 + sum(value[j] for j in t) / len(t)
                best = max(best, v)
            new.append(best)
        value = new
    return sum(value) / len(value)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--q", default=None)
    ap.add_argument("--key", default="dqn.return_ratio")
    ap.add_argument("--tolerance", type=float, default=0.005)
    ap.add_argument("--relative-to-dqn", action="store_true",
                    help="divide by the DQN's own expected return (q_values.npy), not the best policy's")
    args = ap.parse_args()
    acts = args.dir + "/export/activations/"
    _, positions = read_npy(acts + "positions.npy")
    shape, q = read_npy(args.q or acts + "q_values.npy")
    count, actions = shape
    n = (actions - 8) // 4 + 1
    board = Board(n)
    squares = n * n
    legal = [(p // (squares * squares), (p // squares) % squares, p % squares) for p in positions]
    every = [(wk, wr, bk) for wk in range(squares) for wr in range(squares) for bk in range(squares)
             if board.legal(wk, wr, bk)]
    if sorted(legal) != sorted(every) or count != len(legal):
        print("error: the export does not hold every legal position once", file=sys.stderr)
        return 1
    def greedy_of(q):
        return [max(range(actions), key=lambda a, r=r: (q[r * actions + a], -a)) for r in range(count)]
    policy = evaluate(board, legal, greedy_of(q))
    if args.relative_to_dqn:
        best = evaluate(board, legal, greedy_of(read_npy(acts + "q_values.npy")[1]))
    else:
        best = evaluate(board, legal, None)
    ratio = policy / best
    with open(args.dir + "/results.json") as f:
        reported = json.load(f)
    for part in args.key.split("."):
        reported = reported[part]
    print("%dx%d, %d starts: expected return %.4f, against %.4f, ratio %.5f; %s reports %.5f"
          % (n, n, count, policy, best, ratio, args.key, reported))
    if abs(ratio - reported) > args.tolerance:
        print("error: the ratios differ by more than %g" % args.tolerance, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
