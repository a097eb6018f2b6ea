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
# # 実地検査前ブリーフィング
#
# 受託者1社について、契約の概要、条項ごとの状況（適合／不適合／未評価）、指摘とその元の行、
# 時系列、現地で確認する質問事項をまとめます。計算はすべて `tokki_analytics.briefing` にあり、
# このノートブックは呼び出して表示するだけです。
#
# `run_dir`（`tokki run` の出力先）を指定すると、その実行の findings.csv と compliance.csv
# を使い、監査をやり直しません（データフォルダは契約・名簿・時系列のために読み込みます）。

# %% tags=["parameters"]
data_dir = "../data_samples"
contractor_id = "C001"
as_of = ""
run_dir = ""
out_dir = ""
show_names = False

# %%
from pathlib import Path

import pandas as pd
from IPython.display import Image, Markdown, display

from tokki_analytics.briefing import (
    briefing,
    figure_png,
    open_run,
    status_counts,
    timeline_figure,
    write_briefing_xlsx,
)

pd.set_option("display.max_colwidth", None)
pd.set_option("display.max_rows", None)
audit = open_run(data_dir, run_dir or None, as_of or None)
brief = briefing(audit, contractor_id, show_names=show_names)
display(Markdown(f"**{brief.contractor_id} {brief.name}**　監査基準日 {brief.as_of}"))

# %% [markdown]
# ## 契約の概要

# %%
brief.summary

# %% [markdown]
# ## 条項ごとの状況
#
# 不適合: その条項の規則に反する記録がある。未評価: データで判定できなかった（様式の未提出、
# 適用除外、対象なし）。未評価は適合ではありません。

# %%
display(status_counts(brief).to_frame("件数"))
brief.status

# %% [markdown]
# ## 指摘と元の行

# %%
brief.findings

# %% [markdown]
# ## 時系列
#
# 従事期間と届出・研修、持出し、媒体点検の間隔。

# %%
display(Image(figure_png(timeline_figure(brief))))

# %% [markdown]
# ## 現地で確認する質問事項
#
# 不合格の規則ごとの質問と、データでは確認できない条項（第1、第2 の体制、第6、第8 の目的外利用）
# の質問です。

# %%
brief.questions

# %% [markdown]
# ## Excel への書き出し

# %%
if out_dir:
    path = write_briefing_xlsx(brief, Path(out_dir) / f"briefing_{contractor_id}.xlsx")
    display(Markdown(f"書き出しました: `{path.name}`"))
else:
    display(Markdown("out_dir が未指定のため、Excel は書き出していません。"))
