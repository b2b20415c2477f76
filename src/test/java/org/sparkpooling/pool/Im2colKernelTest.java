package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkpooling.pool.Rejections.assertRejected;

import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** What is particular to im2col; its agreement with loops is KernelAgreementTest's. */
class Im2colKernelTest {

    private final PoolKernel im2col = PoolKernels.byName("im2col");

    @Test
    void isRegisteredUnderItsName() {
        assertEquals("im2col", im2col.name());
        assertEquals(Im2colKernel.class, im2col.getClass());
    }

    @Test
    void rejectsAKernelWhoseWindowRowCannotBeAnArray() {
        // Valid for PyTorch (padding half the kernel, output 2x2 on one element), and loops pools it,
        // but one row of the window matrix would need 2.5e9 cells.
        PoolSpec spec = PoolSpec.max(50_000, 50_000).stride(1, 1).padding(25_000, 25_000).build();
        Tensor one = new Tensor(new Shape(1, 1, 1, 1), new float[] {7f});
        assertEquals(4, PoolKernels.reference().forward(spec, one).output().data().length);
        assertRejected(() -> im2col.forward(spec, one), "kernel 50000x50000", "im2col");
    }
}
