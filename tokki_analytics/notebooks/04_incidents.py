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
# # 事故報告の分析
#
# 事故の報告の遅れ、個人情報保護委員会（PPC）への報告対象、事故と他の指摘との関係を示します。

# %% tags=["parameters"]
# data_dir: 提出データのフォルダ。as_of: 監査基準日（空欄なら settings.toml の値）。
# run_dir: `tokki run` の出力先（指定すると監査をやり直さずその結果を使う）。
data_dir = "../../data_samples"
as_of = ""
run_dir = ""
out_dir = ""
show_names = False

# %%
import pandas as pd
from IPython.display import Markdown, display

from tokki_analytics.notebooks import analysis
from tokki_analytics.notebooks.present import capped_table, chart
from tokki_analytics.pipeline import open_run

pd.set_option("display.max_colwidth", None)
audit = open_run(data_dir, run_dir or None, as_of or None)
incidents = analysis.incidents(audit)
hours = audit.settings.incident_report_hours
display(Markdown(f"事故 {len(incidents)} 件　報告期限: 発覚から {hours} 時間"))

# %% [markdown]
# ## 報告の遅れ

# %%
alt = f"事故 {len(incidents)} 件の発覚から報告までの時間と期限 {hours} 時間。表が下にあります。"
_, note = analysis.incident_bars(incidents)
display(chart(analysis.incident_figure(incidents, hours), alt, note=note))
capped_table(incidents)

# %% [markdown]
# ## PPC への報告対象

# %%
capped_table(incidents[incidents["ppc_reportable"]])

# %% [markdown]
# ## 事故と他の指摘の関係
#
# 第14 以外の指摘の件数とリスクスコアを、事故の件数と並べます（順位相関）。

# %%
relation = analysis.incident_relation(audit)
display(
    Markdown(f"事故件数と他の指摘件数の順位相関: {analysis.incident_correlation(relation):.2f}")
)
capped_table(relation)
