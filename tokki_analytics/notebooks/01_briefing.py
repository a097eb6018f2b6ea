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
# 実地検査の前に、受託者1社の提出記録から次のことをまとめます。
#
# 1. 契約の概要
# 2. 条項ごとの状況（適合／不適合／未評価）
# 3. 指摘と、その元になった提出記録の行
# 4. 時系列（従事期間と届出・研修、持出し、媒体点検の間隔）
# 5. 現地で確認する質問事項
# 6. 現地確認サンプル（台帳・持出し・従事者・廃棄の記録を無作為に抽出）
# 7. 現地に持参する Excel への書き出し
#
# 氏名は伏せてあります（例: 岡山 ＊＊）。

# %% tags=["parameters"]
# data_dir: 提出データのフォルダ。contractor_id: 受託者コード。as_of: 監査基準日（空欄なら
# settings.toml の値）。run_dir: `tokki run` の出力先を指定すると、その実行の findings.csv と
# compliance.csv を使い、監査をやり直しません。out_dir: Excel の書き出し先（空欄なら書き出さない）。
# show_names: True で氏名を伏せずに表示します。
data_dir = "../../data_samples"
contractor_id = "C001"
as_of = ""
run_dir = ""
out_dir = ""
show_names = False

# %%
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from tokki_analytics.notebooks.briefing import (
    briefing,
    findings_table,
    status_counts,
    workbook_name,
    write_briefing_xlsx,
)
from tokki_analytics.notebooks.onsite import seed_lines
from tokki_analytics.notebooks.present import chart, table
from tokki_analytics.notebooks.timeline import timeline_figure, timeline_rows
from tokki_analytics.pipeline import open_run

pd.set_option("display.max_colwidth", None)
pd.set_option("display.max_rows", None)
audit = open_run(data_dir, run_dir or None, as_of or None, contractor=contractor_id)
brief = briefing(audit, contractor_id, show_names=show_names)
display(Markdown(f"**{brief.contractor_id} {brief.name}**　監査基準日 {brief.as_of}"))

# %% [markdown]
# ## 前回の指示事項
#
# データフォルダの指摘対応記録（`指摘対応記録.xlsx`）から、この受託者への是正指示のうち未完了のもの
# （期限超過を先頭に）と、是正確認後・解消後に再び見つかった指摘（再発）。記録がなければ空です。

# %%
table(brief.instructions)

# %% [markdown]
# ## 契約の概要

# %%
table(brief.summary)

# %% [markdown]
# ## 条項ごとの状況
#
# 不適合: その条項の規則に反する記録がある。未評価: データで判定できなかった（様式の未提出、
# 適用除外、対象なし）。未評価は適合ではありません。

# %%
display(table(status_counts(brief).to_frame("件数"), index=True))
table(brief.status, index=True)

# %% [markdown]
# ## 指摘と元の行
#
# 条項ごとに先頭の指摘を表示します。表示しきれない指摘は件数を表の下に示します。全件は Excel
# （briefing_受託者コード.xlsx）と findings.csv にあります。

# %%
findings_table(brief)

# %% [markdown]
# ## 時系列
#
# 従事期間と届出・研修、持出し、媒体点検の間隔。

# %%
chart(
    timeline_figure(brief),
    f"{brief.contractor_id} の時系列: 従事者 {len(brief.staff)} 人の従事期間と届出・研修、"
    f"持出し {len(brief.takeouts)} 件、媒体点検 {len(brief.media_checks)} 回",
    note=timeline_rows(brief).note,
)

# %% [markdown]
# ## 現地で確認する質問事項
#
# 不適合となった規則ごとの質問と、データでは確認できない条項（第1、第2 の体制、第6、
# 第8 の目的外利用）の質問です。

# %%
table(brief.questions)

# %% [markdown]
# ## 現地確認サンプル
#
# 台帳・持出し・従事者・廃棄の記録について、契約ごとに、指摘のある行を除いた行から無作為に
# 抽出します。件数は settings.toml の信頼度（sample_confidence）と許容逸脱率
# （sample_tolerable_rate）から属性サンプリングで決まり（95%／5% なら 59 件、母集団が少なければ
# 全件）、シードは契約番号・監査基準日・母集団から決まるため、同じ入力なら毎回同じ行になります。
# 指摘のある行は抽出の対象外で、Excel の「確認_指摘あり」シートに一覧があります。現地では
# Excel の「確認_」シートの確認結果に「適」か「否」を記入し、`tokki evaluate ファイル` で
# 評価します。

# %%
display(table(seed_lines(brief.samples)))
for sample in brief.samples:
    if len(sample.sample):
        display(
            Markdown(f"**{sample.population.label} {sample.contract_id}**（シード {sample.seed}）")
        )
        display(table(sample.sample, sample.population.form_key))

# %% [markdown]
# ## Excel への書き出し

# %%
if out_dir:
    path = write_briefing_xlsx(brief, Path(out_dir) / workbook_name(contractor_id))
    display(Markdown(f"書き出しました: `{path.name}`"))
else:
    display(Markdown("out_dir が未指定のため、Excel は書き出していません。"))
