"""The audit engines: shards of a data folder read and checked, then validated together.

- :mod:`.shard`: the shard function, the one place where a contractor's folder is read and
  its check views are built (masters + shards → :class:`~.shard.Shard`), and
  :func:`~.shard.combine`, which puts shards together;
- :mod:`.local`: the local engine (the default): shards on every core of this machine,
  Great Expectations imported meanwhile, one validation pass over all contractors;
- :mod:`.spark`: the Spark engine (``tokki run --engine spark``, the ``spark`` extra).

This ``__init__`` imports nothing: worker processes import :mod:`.shard` alone.
"""
