;; Matrix products for the playground, in WebAssembly SIMD (float32, 4 lanes per v128).
;;
;; Source of kernels.js (tools/vendor_js.py compiles this file with wabt and inlines the bytes,
;; twice: as written, and with every multiply-add fused into f32x4.relaxed_madd for browsers that
;; have relaxed SIMD). The page never needs Node: kernels.js is committed.
;;
;; All matrices are row-major float32 in this module's memory; pointers are byte offsets. The
;; caller pads every dimension that a kernel tiles (see each kernel) with zero rows/columns, which
;; leaves the products of the real rows and columns unchanged.
;;
;; A multiply-add is always written as
;;   (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x) (local.get $y))))
;; so that the build can rewrite it as (f32x4.relaxed_madd (local.get $x) (local.get $y) ...).
(module
  (memory (export "memory") 1)

  ;; C = A B with A (M x K), B (K x N), C (M x N). Used for Z = A_prev W (forward pass).
  ;; Tiles of 4 rows x 8 columns of C: M % 4 == 0, N % 8 == 0, any K >= 1.
  ;; The 8 accumulators stay in registers for the whole sum over k. Columns outside, rows inside:
  ;; the strip B[:, j .. j + 7] (K x 32 bytes) stays in the L1 cache while every row block
  ;; uses it, where rows outside would stream all of B (W, 640 KB at width 400) once per block.
  (func (export "gemm_nn")
    (param $c i32) (param $a i32) (param $b i32) (param $M i32) (param $K i32) (param $N i32)
    (local $i i32) (local $j i32) (local $k i32) (local $rowA i32) (local $rowB i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32)
    (local $pc i32) (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $rowA (i32.shl (local.get $K) (i32.const 2)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $cols_done (loop $cols
      (br_if $cols_done (i32.ge_u (local.get $j) (local.get $N)))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        ;; pa_r -> A[i + r, 0], pb -> B[0, j]
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowA))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $rowA)))
        (local.set $pa2 (i32.add (local.get $pa1) (local.get $rowA)))
        (local.set $pa3 (i32.add (local.get $pa2) (local.get $rowA)))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $K))
        (loop $sum
          ;; C[i + r, j .. j + 7] += A[i + r, k] * B[k, j .. j + 7]
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $x (v128.load32_splat (local.get $pa0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat (local.get $pa1)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat (local.get $pa2)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat (local.get $pa3)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
          (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
          (local.set $pa2 (i32.add (local.get $pa2) (i32.const 4)))
          (local.set $pa3 (i32.add (local.get $pa3) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $sum (local.get $k)))
        ;; store the tile: pc -> C[i, j]
        (local.set $pc (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c00))
        (v128.store offset=16 (local.get $pc) (local.get $c01))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
        (v128.store (local.get $pc) (local.get $c10))
        (v128.store offset=16 (local.get $pc) (local.get $c11))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
        (v128.store (local.get $pc) (local.get $c20))
        (v128.store offset=16 (local.get $pc) (local.get $c21))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
        (v128.store (local.get $pc) (local.get $c30))
        (v128.store offset=16 (local.get $pc) (local.get $c31))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $cols))))

  ;; C = A^T B with A (M x K), B (M x N), C (K x N). Used for dW = A_prev^T dZ.
  ;; Tiles of 4 rows x 8 columns of C: K % 4 == 0, N % 8 == 0, any M >= 1.
  ;; Row p + r of C is column p + r of A: A[m, p .. p + 3] sit side by side in memory, so the four
  ;; broadcasts read at constant offsets 0, 4, 8, 12 from one pointer.
  (func (export "gemm_tn")
    (param $c i32) (param $a i32) (param $b i32) (param $M i32) (param $K i32) (param $N i32)
    (local $p i32) (local $j i32) (local $m i32) (local $rowA i32) (local $rowB i32)
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $rowA (i32.shl (local.get $K) (i32.const 2)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $p (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $p) (local.get $K)))
      (local.set $j (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        ;; pa -> A[0, p], pb -> B[0, j]
        (local.set $pa (i32.add (local.get $a) (i32.shl (local.get $p) (i32.const 2))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $m (local.get $M))
        (loop $sum
          ;; C[p + r, j .. j + 7] += A[m, p + r] * B[m, j .. j + 7]
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $x (v128.load32_splat (local.get $pa)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=4 (local.get $pa)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=8 (local.get $pa)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=12 (local.get $pa)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $pa (i32.add (local.get $pa) (local.get $rowA)))
          (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
          (local.set $m (i32.sub (local.get $m) (i32.const 1)))
          (br_if $sum (local.get $m)))
        (local.set $pc (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $p) (local.get $N)) (local.get $j)) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c00))
        (v128.store offset=16 (local.get $pc) (local.get $c01))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
        (v128.store (local.get $pc) (local.get $c10))
        (v128.store offset=16 (local.get $pc) (local.get $c11))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
        (v128.store (local.get $pc) (local.get $c20))
        (v128.store offset=16 (local.get $pc) (local.get $c21))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
        (v128.store (local.get $pc) (local.get $c30))
        (v128.store offset=16 (local.get $pc) (local.get $c31))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $rows))))

  ;; C = A B^T with A (M x N), B (K x N), C (M x K). Used for dA_prev = dZ W^T.
  ;; Each C[i, p] is a dot product of two rows; tiles of 4 rows of A x 2 rows of B:
  ;; M % 4 == 0, K % 2 == 0, N % 4 == 0. Each accumulator holds 4 partial sums, added at the end.
  ;; Rows of B outside, rows of A inside: the two rows of B (W) stay in the L1 cache.
  (func (export "gemm_nt")
    (param $c i32) (param $a i32) (param $b i32) (param $M i32) (param $K i32) (param $N i32)
    (local $i i32) (local $p i32) (local $n i32) (local $rowA i32) (local $rowC i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32)
    (local $pb0 i32) (local $pb1 i32) (local $pc i32)
    (local $x v128) (local $y0 v128) (local $y1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $rowA (i32.shl (local.get $N) (i32.const 2)))
    (local.set $rowC (i32.shl (local.get $K) (i32.const 2)))
    (local.set $p (i32.const 0))
    (block $cols_done (loop $cols
      (br_if $cols_done (i32.ge_u (local.get $p) (local.get $K)))
      (local.set $i (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        ;; pa_r -> A[i + r, 0], pb_s -> B[p + s, 0]
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowA))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $rowA)))
        (local.set $pa2 (i32.add (local.get $pa1) (local.get $rowA)))
        (local.set $pa3 (i32.add (local.get $pa2) (local.get $rowA)))
        (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $p) (local.get $rowA))))
        (local.set $pb1 (i32.add (local.get $pb0) (local.get $rowA)))
        (local.set $n (i32.shr_u (local.get $N) (i32.const 2)))
        (loop $sum
          ;; lanes of C[i + r, p + s] += A[i + r, n .. n + 3] * B[p + s, n .. n + 3]
          (local.set $y0 (v128.load (local.get $pb0)))
          (local.set $y1 (v128.load (local.get $pb1)))
          (local.set $x (v128.load (local.get $pa0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $y0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $y1))))
          (local.set $x (v128.load (local.get $pa1)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $y0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $y1))))
          (local.set $x (v128.load (local.get $pa2)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $y0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $y1))))
          (local.set $x (v128.load (local.get $pa3)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $y0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $y1))))
          (local.set $pa0 (i32.add (local.get $pa0) (i32.const 16)))
          (local.set $pa1 (i32.add (local.get $pa1) (i32.const 16)))
          (local.set $pa2 (i32.add (local.get $pa2) (i32.const 16)))
          (local.set $pa3 (i32.add (local.get $pa3) (i32.const 16)))
          (local.set $pb0 (i32.add (local.get $pb0) (i32.const 16)))
          (local.set $pb1 (i32.add (local.get $pb1) (i32.const 16)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $sum (local.get $n)))
        ;; pc -> C[i, p]; each of the 8 sums is the total of its accumulator's 4 lanes
        (local.set $pc (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $K)) (local.get $p)) (i32.const 2))))
        (f32.store (local.get $pc) (call $lanes (local.get $c00)))
        (f32.store offset=4 (local.get $pc) (call $lanes (local.get $c01)))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowC)))
        (f32.store (local.get $pc) (call $lanes (local.get $c10)))
        (f32.store offset=4 (local.get $pc) (call $lanes (local.get $c11)))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowC)))
        (f32.store (local.get $pc) (call $lanes (local.get $c20)))
        (f32.store offset=4 (local.get $pc) (call $lanes (local.get $c21)))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowC)))
        (f32.store (local.get $pc) (call $lanes (local.get $c30)))
        (f32.store offset=4 (local.get $pc) (call $lanes (local.get $c31)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
      (local.set $p (i32.add (local.get $p) (i32.const 2)))
      (br $cols))))

  ;; The sum of the four lanes of v.
  (func $lanes (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
)
