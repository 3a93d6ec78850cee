#!/usr/bin/env python3
"""Markdown tables for docs/RESULTS.md from the results.json files of saerl runs.

    python3 docs/tables.py dqn DIR...      one row per run: preset, board, recipe, seed, exact
                                           return ratio, mate probability, moves to mate,
                                           training seconds
    python3 docs/tables.py sae DIR...      one row per run and SAE variant: FVU, L0, dead,
                                           agreement, spliced return ratio, loss
    python3 docs/tables.py features DIR... coverage, board F1, labelled features per variant
                                           and for the raw neurons
    python3 docs/tables.py pellets DIR...  `saerl run --game pellets` runs: the mean scores of the
                                           DQN, the random player and the reference, then per SAE
                                           variant FVU, L0, dead, agreement, spliced score and
                                           ratio, coverage, matched predicates, label F1
    python3 docs/tables.py sweep DIR       `saerl sweep --protocol study` (DIR/sweep.json): one row
                                           per run, then the fits line

Each DIR is a run directory written by `saerl train-dqn`, `train-sae`, `report` or `run`.
"""
import json
import sys


def get(r, path, default=None):
    for part in path.split("."):
        if not isinstance(r, dict) or part not in r:
            return default
        r = r[part]
    return r


def fmt(v, digits=4):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if float(v).is_integer() and abs(v) < 1e9:
        return "{:,}".format(int(v))
    return "%.*f" % (digits, v)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def load(d):
    with open(d + "/results.json") as f:
        return json.load(f)


def dqn(dirs):
    rows = []
    for d in dirs:
        r = load(d)
        n = get(r, "dqn.board", 5)
        rows.append([get(r, "dqn.preset", ""), "%dx%d" % (n, n), get(r, "dqn.recipe", ""), fmt(get(r, "dqn.seed")),
                     fmt(get(r, "dqn.steps")), fmt(get(r, "dqn.return_ratio")), fmt(get(r, "dqn.exact_mate_prob"), 5),
                     fmt(get(r, "dqn.exact_moves_to_mate"), 2), fmt(get(r, "dqn.optimal_moves_to_mate"), 2),
                     fmt(get(r, "dqn.optimal_action_rate_all"), 3), fmt(get(r, "dqn.train_seconds"), 0)])
    return table(["preset", "board", "recipe", "seed", "steps", "return ratio", "mate probability", "moves to mate",
                  "optimal's moves", "DTM-optimal moves", "train s"], rows)


def sae(dirs):
    rows = []
    for d in dirs:
        r = load(d)
        for v in ("relu", "topk", "batchtopk", "jumprelu"):
            s = get(r, "sae." + v)
            if s is None:
                continue
            rows.append([d, v, fmt(s.get("fvu")), fmt(s.get("l0"), 2), fmt(s.get("dead")),
                         fmt(s.get("action_agreement")), fmt(s.get("spliced_return_ratio")),
                         fmt(s.get("return_recovered_zero"), 3), fmt(s.get("return_recovered_mean"), 3),
                         s.get("loss", ""), fmt(s.get("train_seconds"), 0)])
    return table(["run", "variant", "FVU", "L0", "dead", "agreement", "spliced return ratio", "recovered (zero)",
                  "recovered (mean)", "loss", "train s"], rows)


def features(dirs):
    rows = []
    for d in dirs:
        r = load(d)
        for v in ("relu", "topk", "batchtopk", "jumprelu", "neurons"):
            f = get(r, "features." + v)
            if f is None:
                continue
            rows.append([d, v, fmt(f.get("coverage"), 3), fmt(f.get("coverage_other"), 3), fmt(f.get("board_f1"), 3),
                         fmt(f.get("live")), fmt(f.get("labeled_precision_0_9"))])
    return table(["run", "features of", "coverage (board)", "coverage (other)", "board F1", "live",
                  "labelled (precision >= 0.9)"], rows)


def pellets(dirs):
    agents, saes = [], []
    for d in dirs:
        r = load(d)
        agents.append([d, fmt(get(r, "dqn.seed")), fmt(get(r, "dqn.steps")), fmt(get(r, "dqn.score_games")),
                       fmt(get(r, "dqn.mean_score"), 2), fmt(get(r, "dqn.random_score"), 2),
                       "%s (depth %s)" % (fmt(get(r, "dqn.reference_score"), 2), fmt(get(r, "dqn.reference_depth"))),
                       fmt(get(r, "dqn.score_over_random"), 1), fmt(get(r, "dqn.score_over_reference"), 3),
                       fmt(get(r, "dqn.clear_rate"), 3), fmt(get(r, "dqn.train_seconds"), 0),
                       fmt(get(r, "run.seconds"), 0)])
        for v in ("relu", "topk", "batchtopk", "jumprelu"):
            s, f = get(r, "sae." + v), get(r, "features." + v, {})
            if s is None:
                continue
            saes.append([d, v, fmt(s.get("fvu")), fmt(s.get("l0"), 2), fmt(s.get("dead")),
                         fmt(s.get("action_agreement")), fmt(s.get("spliced_mean_score"), 2),
                         fmt(s.get("spliced_score_ratio"), 3), fmt(f.get("coverage"), 3),
                         fmt(f.get("coverage_other"), 3), fmt(f.get("matched"), 3), fmt(f.get("label_f1"), 3),
                         fmt(s.get("train_seconds"), 0)])
    return table(["run", "seed", "steps", "games", "DQN score", "random", "reference", "x random", "of reference",
                  "DQN clears", "train s", "run s"], agents) + "\n\n" + table(
        ["run", "variant", "FVU", "L0", "dead", "agreement", "spliced score", "ratio", "coverage (board)",
         "coverage (named)", "matched", "label F1", "train s"], saes)


def sweep(dirs):
    with open(dirs[0] + "/sweep.json") as f:
        s = json.load(f)
    if s["runs"] and s["runs"][0].get("mean_score") is not None:  # the pellet maze
        rows = [[fmt(r["run"]), fmt(r["seed"]), fmt(r["score"], 2), fmt(r["clear_rate"], 3), fmt(r["capture_rate"], 3),
                 fmt(r["live_on_policy"]), fmt(r["live_all"]), fmt(r["distinct_states"]), fmt(r["distinct_positions"]),
                 "%s / %s" % (fmt(r["fvu_on_policy"]), fmt(r["fvu_all"]))] for r in s["runs"]]
        out = table(["run", "seed", "score (mean score)", "clear rate", "capture rate", "live_on_policy", "live_all",
                     "distinct_states", "distinct_positions", "FVU on-policy / uniform"], rows)
    else:
        rows = [[fmt(r["run"]), fmt(r["seed"]), fmt(r["score"]), fmt(r["exact_mate_prob"]),
                 fmt(r["exact_moves_to_mate"], 2), fmt(r["live_on_policy"]), fmt(r["live_all"]),
                 fmt(r["distinct_states"]), "%s / %s" % (fmt(r["fvu_on_policy"]), fmt(r["fvu_all"]))] for r in s["runs"]]
        out = table(["run", "seed", "score (return ratio)", "exact mate prob.", "moves to mate", "live_on_policy",
                     "live_all", "distinct_states", "FVU on-policy / all"], rows)
    for key in ("fits", "fits_all"):
        f = s.get(key, {})
        sp, pe = f.get("spearman", {}), f.get("pearson", {})
        out += "\n\n`%s` (score against %s, %d runs): linear r2 %s, quadratic r2 %s; Spearman %s [%s, %s]; " \
               "Pearson %s [%s, %s]; partial (%s held) %s" % (
                   key, f.get("x", ""), f.get("n", 0), fmt(get(f, "linear.r2"), 3), fmt(get(f, "quadratic.r2"), 3),
                   fmt(sp.get("rho"), 3), *[fmt(c, 3) for c in sp.get("ci", [None, None])], fmt(pe.get("r"), 3),
                   *[fmt(c, 3) for c in pe.get("ci", [None, None])], get(f, "partial.controlling", ""),
                   fmt(get(f, "partial.r"), 3))
    return out


if __name__ == "__main__":
    modes = {"dqn": dqn, "sae": sae, "features": features, "pellets": pellets, "sweep": sweep}
    if len(sys.argv) < 3 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    print(modes[sys.argv[1]](sys.argv[2:]))
