"""Print the intent F1 of an NLU cross-validation run (`rasa test nlu --cross-validation`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(report_path: str) -> int:
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    weighted = report["weighted avg"]
    sys.stdout.write(f"NLU cross-validation: intent F1 (weighted) {weighted['f1-score']:.3f}, "
                     f"macro {report['macro avg']['f1-score']:.3f}, accuracy {report['accuracy']:.3f}\n")
    weakest = sorted(((name, row["f1-score"]) for name, row in report.items()
                      if isinstance(row, dict) and "support" in row and name not in {"weighted avg", "macro avg",
                                                                                        "micro avg"}),
                     key=lambda item: item[1])[:5]
    sys.stdout.write("weakest intents: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in weakest) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "results/nlu/intent_report.json"))
