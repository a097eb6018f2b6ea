# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 条項別の分析
#
# 1つの条項について、全受託者の不合格率、最も重い事例、保存された実行履歴での推移を示します。

# %% tags=["parameters"]
data_dir = "../data_samples"
clause = "第3"
as_of = ""
run_dir = ""
out_dir = ""
history_dir = ""
show_names = False

# %%
import pandas as pd
from IPython.display import Image, Markdown, display

from tokki_analytics import analysis
from tokki_analytics.briefing import figure_png, mask_details, open_run
from tokki_analytics.report import clause_label

pd.set_option("display.max_colwidth", None)
audit = open_run(data_dir, run_dir or None, as_of or None)
rate = analysis.clause_failure_rate(audit, clause)
display(Markdown(f"**{clause_label(clause)}**　不適合の受託者の割合: {rate:.0%}"))

# %% [markdown]
# ## 受託者ごとの適合率

# %%
analysis.clause_rates(audit, clause)

# %% [markdown]
# ## 重い事例

# %%
mask_details(audit, analysis.worst_cases(audit, clause), show_names)

# %% [markdown]
# ## 実行履歴での推移

# %%
trend = analysis.clause_trend(history_dir, data_dir, clause) if history_dir else None
if trend is None or trend.empty:
    display(Markdown("保存された実行履歴がありません（`tokki run --history` で保存されます）。"))
else:
    display(Image(figure_png(analysis.trend_figure(trend, clause))))
    display(trend)
