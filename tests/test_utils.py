import os

import torch

from dec.utils import Minibatches, busy_cores, choose_threads


def test_minibatches_cover_each_epoch_and_resume_exactly():
    g = torch.Generator().manual_seed(0)
    batches = Minibatches(10, 3, g, "cpu")
    first_epoch = torch.cat([next(batches) for _ in range(3)])  # 3 batches of 3, one index left over
    assert len(set(first_epoch.tolist())) == 9
    state, gen_state = batches.state_dict(), g.get_state()
    ahead = [next(batches).tolist() for _ in range(5)]
    g2 = torch.Generator()
    g2.set_state(gen_state)
    resumed = Minibatches(10, 3, g2, "cpu")
    resumed.load_state_dict(state)
    assert [next(resumed).tolist() for _ in range(5)] == ahead


def test_minibatches_in_fixed_order_walk_the_rows_and_draw_nothing():
    g = torch.Generator().manual_seed(0)
    before = g.get_state()
    batches = Minibatches(10, 3, g, "cpu", shuffle=False)
    walked = [next(batches).tolist() for _ in range(6)]
    assert walked == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9], [0, 1, 2], [3, 4, 5]]  # the last one shorter
    assert torch.equal(g.get_state(), before)
    resumed = Minibatches(10, 3, g, "cpu", shuffle=False)
    resumed.load_state_dict(Minibatches(10, 3, g, "cpu", shuffle=False).state_dict() | {"pos": 9})
    assert next(resumed).tolist() == [9]
    exact = Minibatches(9, 3, g, "cpu", shuffle=False)
    assert [len(next(exact)) for _ in range(4)] == [3, 3, 3, 3]  # never an empty batch


def test_thread_choice_is_within_the_cores():
    assert 0 <= busy_cores(0.05) <= (os.cpu_count() or 1) + 0.01
    assert 1 <= choose_threads() <= len(os.sched_getaffinity(0))


def test_matmul_precision_is_restored_and_autocast_only_for_bf16():
    from dec.utils import autocast, matmul_precision

    before = torch.get_float32_matmul_precision()
    with matmul_precision("tf32"):
        assert torch.get_float32_matmul_precision() == "high"
    with matmul_precision("fp32"):
        assert torch.get_float32_matmul_precision() == "highest"
    assert torch.get_float32_matmul_precision() == before
    lin = torch.nn.Linear(4, 3)
    x = torch.randn(2, 4)
    with autocast("cpu", "bf16"):
        assert lin(x).dtype == torch.bfloat16
    with autocast("cpu", "fp32"):
        assert lin(x).dtype == torch.float32
