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
# # 受託者の比較
#
# 受託者 × 条項のヒートマップ、リスクスコアの順位、担当課・雇用形態（第10）・契約規模ごとの
# 比較と、実地検査の候補（リスクスコア上位と、365日以内に実地検査のない契約）を示します。

# %% tags=["parameters"]
# data_dir: 提出データのフォルダ。as_of: 監査基準日（空欄なら settings.toml の値）。
# run_dir: `tokki run` の出力先（指定すると監査をやり直さずその結果を使う）。
# top: リスクスコア上位から実地検査の候補にする受託者の数。
data_dir = "../../data_samples"
as_of = ""
run_dir = ""
out_dir = ""
show_names = False
top = 3

# %%
import pandas as pd
from IPython.display import Markdown, display

from tokki_analytics.notebooks import analysis
from tokki_analytics.notebooks.present import capped_table, chart
from tokki_analytics.pipeline import open_run
from tokki_analytics.status import RISK_FORMULA, risk_ranking

pd.set_option("display.max_colwidth", None)
audit = open_run(data_dir, run_dir or None, as_of or None)
display(Markdown(f"監査基準日 {audit.settings.as_of}"))

# %% [markdown]
# ## 受託者 × 条項

# %%
display(
    chart(
        analysis.heatmap(audit),
        "受託者 × 条項の状況（適合・不適合・未評価）。同じ内容の表が下にあります。",
    )
)
capped_table(analysis.status_matrix(audit), index=True)

# %% [markdown]
# ## リスクスコアの順位

# %%
display(Markdown(RISK_FORMULA))
columns = ["rank", "contractor_id", "name", "score", "components", "clauses_failed"]
capped_table(risk_ranking(audit)[columns])

# %% [markdown]
# ## 指摘対応（期限超過の多い順）
#
# データフォルダの指摘対応記録（`指摘対応記録.xlsx`）を今回の指摘に引き継いだ件数。是正期限を過ぎた
# 指示（期限超過）の多い受託者から、次に再発の多い順。記録がなければ空です。

# %%
capped_table(analysis.overdue_ranking(audit))

# %% [markdown]
# ## 担当課ごと

# %%
capped_table(analysis.by_department(audit))

# %% [markdown]
# ## 雇用形態ごと（第10 派遣労働者等）

# %%
capped_table(analysis.by_employment(audit))

# %% [markdown]
# ## 契約規模（取扱件数）ごと

# %%
capped_table(analysis.by_size(audit))

# %% [markdown]
# ## 実地検査の候補

# %%
capped_table(analysis.inspection_targets(audit, top=top))
