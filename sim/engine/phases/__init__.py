"""The phases of the yearly step, one module each, in the order `ChengxiangModel.step` runs them.

Phases stand side by side: each imports only the shared layers (`people`, `places`, `state`, `markets`,
`incomes`, `rights`, `kernels`), never another phase.
"""
