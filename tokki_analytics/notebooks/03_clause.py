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
# 1つの条項について、全受託者での不適合の割合、最も重い事例、保存された実行履歴での推移を示します。

# %% tags=["parameters"]
# clause: 条項（例: 第3、第7三）。history_dir: `tokki run --history` の保存先（推移の表示に使う）。
# data_dir, as_of, run_dir: ブリーフィングと同じ。
data_dir = "../../data_samples"
clause = "第3"
as_of = ""
run_dir = ""
out_dir = ""
history_dir = ""
show_names = False

# %%
import pandas as pd
from IPython.display import Markdown, display

from tokki_analytics.notebooks import analysis
from tokki_analytics.notebooks.briefing import mask_details
from tokki_analytics.notebooks.present import capped_table, chart, table
from tokki_analytics.pipeline import open_run
from tokki_analytics.vocab import clause_label, parse_clause

pd.set_option("display.max_colwidth", None)
clause = parse_clause(clause)
audit = open_run(data_dir, run_dir or None, as_of or None)
rate = analysis.clause_failure_rate(audit, clause)
display(Markdown(f"**{clause_label(clause)}**　不適合の受託者の割合: {rate:.0%}"))

# %% [markdown]
# ## 受託者ごとの適合率

# %%
capped_table(analysis.clause_rates(audit, clause))

# %% [markdown]
# ## 重い事例

# %%
table(mask_details(audit, analysis.worst_cases(audit, clause), show_names))

# %% [markdown]
# ## 実行履歴での推移

# %%
trend = analysis.clause_trend(history_dir, data_dir, clause) if history_dir else None
if trend is None or trend.empty:
    display(Markdown("保存された実行履歴がありません（`tokki run --history` で保存されます）。"))
else:
    runs = trend["run_id"].nunique()
    alt = f"{clause_label(clause)} の受託者ごとの不適合件数の推移（{runs} 回の実行）。"
    display(chart(analysis.trend_figure(trend, clause), alt))
    display(capped_table(analysis.trend_table(trend), index=True))
