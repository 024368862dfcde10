import numpy as np
import pytest

from dec.metrics import ari, cluster_acc, evaluate, nmi


def test_acc_perfect_under_relabelling():
    y = [0, 0, 1, 1, 2, 2]
    assert cluster_acc(y, [2, 2, 0, 0, 1, 1]) == 1.0


def test_acc_hand_worked():
    # classes 0,0,0,1,1,1 ; clusters a,a,b,b,b,b -> best map a->0, b->1: 2 + 3 = 5 of 6 right
    assert cluster_acc([0, 0, 0, 1, 1, 1], ["a", "a", "b", "b", "b", "b"]) == pytest.approx(5 / 6)


def test_acc_more_clusters_than_classes():
    # 3 clusters, 2 classes: the surplus cluster (2) matches nothing -> its 2 points are wrong
    y_true = [0, 0, 0, 1, 1, 1]
    y_pred = [0, 0, 2, 1, 1, 2]
    assert cluster_acc(y_true, y_pred) == pytest.approx(4 / 6)


def test_acc_fewer_clusters_than_classes():
    # one cluster for everything: at best it matches the largest class
    assert cluster_acc([0, 0, 0, 1, 2], [5, 5, 5, 5, 5]) == pytest.approx(3 / 5)


def test_acc_does_not_drop_a_matched_cluster():
    # the common bug of ports: a 10x10 map losing the last cluster
    y = np.repeat(np.arange(10), 3)
    assert cluster_acc(y, (y + 1) % 10) == 1.0


def test_nmi_and_ari_known_values():
    assert nmi([0, 0, 1, 1], [1, 1, 0, 0]) == pytest.approx(1.0)
    assert ari([0, 0, 1, 1], [1, 1, 0, 0]) == pytest.approx(1.0)
    # independent labellings: I(y; c) = 0
    assert nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0, abs=1e-12)
    # hand-worked NMI: y = (0,0,1,1), c = (0,0,0,1): H(y)=ln2, H(c)=H(3/4,1/4), I = H(y) - H(y|c)
    hy, hc = np.log(2), -(0.75 * np.log(0.75) + 0.25 * np.log(0.25))
    h_y_given_c = 0.75 * -(2 / 3 * np.log(2 / 3) + 1 / 3 * np.log(1 / 3))
    assert nmi([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx((hy - h_y_given_c) / ((hy + hc) / 2))


def test_evaluate_keys_and_length_mismatch():
    assert set(evaluate([0, 1], [1, 0])) == {"acc", "nmi", "ari"}
    with pytest.raises(ValueError, match="differ in length"):
        cluster_acc([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        cluster_acc([], [])
