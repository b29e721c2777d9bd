"""The report's figures, drawn with seaborn and saved deterministically."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .framework import Framework
from .outputs import save_figure

#: Colour-blind-safe palette, one colour per wave (start, end, follow-up).
WAVE_COLOURS = sns.color_palette("colorblind", 3)


def area_means_figure(scores: pd.DataFrame, framework: Framework, path: Path) -> Path:
    """Figure 1: mean self-assessed score per area at each wave, with ±1 SD bars."""
    data = scores.dropna(subset=["score"]).copy()
    data["score"] = data["score"].astype(float)
    data["Area"] = data["area_id"].map(framework.area_names())
    labels = framework.waves.set_index("wave")["wave_label"]
    data["Wave"] = data["wave"].map(labels)
    order = [labels[w] for w in framework.wave_ids if w in set(data["wave"])]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    sns.barplot(data=data, x="Area", y="score", hue="Wave", hue_order=order, order=list(framework.area_names().values()),
                errorbar="sd", capsize=0.15, palette=WAVE_COLOURS[: len(order)], ax=ax, err_kws={"linewidth": 1.2})
    ax.set_ylim(0, 10)
    ax.set_ylabel("Mean self-assessed score (1–10)")
    ax.set_xlabel("")
    ax.set_xticks(ax.get_xticks(), [t.get_text().replace(" and ", " and\n") for t in ax.get_xticklabels()])
    ax.legend(title="", loc="lower right", frameon=True)
    sns.despine(ax=ax)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return path
