"""SKP actions: the only code that writes SKP data. One module per phase of the cycle.

Each action locks the SKP's case row, re-reads, checks the actor inside the action, runs
the guards, writes, records an audit row on the case's chain in the same transaction, and
completes or returns the engine task when the step ends a stage.
"""
