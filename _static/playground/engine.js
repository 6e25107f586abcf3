/*
 * The playground's mathematics: the same formulas, layout and statistics as wtinit_lib.
 *
 * Runs in a Web Worker (worker.js loads it with importScripts) and, when a worker cannot be
 * started (a page opened from file://), in the page itself. It touches no DOM.
 *
 * Notation (the book's): L weight layers, layer index ℓ = 1..L, n_in / n_out the fans of a
 * layer, m the number of examples (rows), η the learning rate. Keras's layout, as wtinit_lib:
 *
 *     Z^ℓ = A^(ℓ-1) W^ℓ + b^ℓ        W^ℓ has shape (n_in, n_out), A^0 = X has one row per example
 *     A^ℓ = g(Z^ℓ)                   g the hidden activation; a sigmoid at ℓ = L
 *
 * and backpropagation (wtinit_lib.network):
 *
 *     dZ^L      = (sigmoid(Z^L) - Y) / m          binary cross-entropy, mean over the m outputs
 *     dW^ℓ      = A^(ℓ-1)^T dZ^ℓ,   db^ℓ = Σ_rows dZ^ℓ
 *     dA^(ℓ-1)  = dZ^ℓ W^ℓ^T,       dZ^(ℓ-1) = dA^(ℓ-1) ⊙ g'(Z^(ℓ-1))
 *
 * Two back ends compute the matrix products: WebAssembly SIMD in float32 (kernels.wat), used
 * for the signal experiment, and plain JavaScript in float64, used for training (small networks,
 * and exactly the arithmetic of numpy) and whenever float32 would leave its range.
 */
(function (root) {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // Random numbers: xoshiro128** (Blackman & Vigna 2018), seeded from (seed, stream).
  // numpy's generator is another one, so the page draws other numbers than wtinit_lib for the
  // same seed; the distributions, and so the statistics, are the same.
  // ---------------------------------------------------------------------------------------------

  function mix32(x) {
    // The finalizer of MurmurHash3: spreads every input bit over the whole word.
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) | 0;
  }

  const TWO_POW_M32 = 2.3283064365386963e-10; // 2^-32
  const TWO_POW_M31 = 4.656612873077393e-10; // 2^-31

  // The ziggurat's tables for 128 strips (Marsaglia & Tsang 2000, "The Ziggurat Method for
  // Generating Random Variables", J. Stat. Softw. 5(8)), for a 25-bit signed integer hz:
  // strip i accepts |hz| < K[i] at once, with x = hz · W[i]; F[i] = exp(-x_i² / 2).
  const ZIG_R = 3.442619855899; // where the tail starts
  const ZIG_K = new Float64Array(128),
    ZIG_W = new Float64Array(128),
    ZIG_F = new Float64Array(128);
  (function zigguratTables() {
    const m = 16777216; // 2^24: |hz| < 2^24
    const v = 9.91256303526217e-3; // the area of each strip
    let dn = ZIG_R,
      tn = dn;
    const q = v / Math.exp(-0.5 * dn * dn);
    ZIG_K[0] = (dn / q) * m;
    ZIG_K[1] = 0;
    ZIG_W[0] = q / m;
    ZIG_W[127] = dn / m;
    ZIG_F[0] = 1;
    ZIG_F[127] = Math.exp(-0.5 * dn * dn);
    for (let i = 126; i >= 1; i--) {
      dn = Math.sqrt(-2 * Math.log(v / dn + Math.exp(-0.5 * dn * dn)));
      ZIG_K[i + 1] = (dn / tn) * m;
      tn = dn;
      ZIG_F[i] = Math.exp(-0.5 * dn * dn);
      ZIG_W[i] = dn / m;
    }
  })();

  class Rng {
    /** A stream of random numbers determined by an integer seed and a stream number. */
    constructor(seed, stream = 0) {
      let x = mix32((seed >>> 0) ^ mix32((stream | 0) + 0x632be5ab));
      const state = new Int32Array(4);
      for (let i = 0; i < 4; i++) {
        x = (x + 0x9e3779b9) | 0; // splitmix32's increment, then a hash
        state[i] = mix32(x);
      }
      if (!(state[0] | state[1] | state[2] | state[3])) state[0] = 1;
      this.s = state;
    }

    /** A uniform 32-bit integer, as a signed int32. */
    int32() {
      const s = this.s;
      const a = s[0],
        b = s[1],
        c = s[2],
        d = s[3];
      const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
      const t = b << 9;
      const c1 = c ^ a,
        d1 = d ^ b;
      s[1] = b ^ c1;
      s[0] = a ^ d1;
      s[2] = c1 ^ t;
      s[3] = rotl(d1, 11);
      return r;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    uniform() {
      const hi = this.int32() >>> 5,
        lo = this.int32() >>> 6;
      return (hi * 67108864 + lo) / 9007199254740992;
    }

    /** Uniform in (0, 1), never exactly 0 or 1 (for logarithms). */
    open01() {
      return (this.int32() + 0.5) * TWO_POW_M32 + 0.5;
    }

    /** One standard normal draw (the ziggurat, as in fillBlock). */
    normal() {
      const r = this.int32();
      const strip = r & 127,
        hz = r >> 7;
      if (Math.abs(hz) < ZIG_K[strip]) return hz * ZIG_W[strip];
      return this.slowNormal(hz, strip);
    }

    /** The ziggurat's rare cases: the edge of a strip, or the tail beyond ZIG_R. */
    slowNormal(hz, strip) {
      for (;;) {
        const x = hz * ZIG_W[strip];
        if (strip === 0) {
          // The tail |x| > R, by Marsaglia's exponential rejection.
          let u, v;
          do {
            u = -Math.log(this.open01()) / ZIG_R;
            v = -Math.log(this.open01());
          } while (v + v < u * u);
          return hz > 0 ? ZIG_R + u : -ZIG_R - u;
        }
        // The edge: accept x with probability (e^(-x²/2) - f[i]) / (f[i-1] - f[i]).
        if (
          ZIG_F[strip] + this.open01() * (ZIG_F[strip - 1] - ZIG_F[strip]) <
          Math.exp(-0.5 * x * x)
        ) {
          return x;
        }
        const r = this.int32();
        strip = r & 127;
        hz = r >> 7;
        if (Math.abs(hz) < ZIG_K[strip]) return hz * ZIG_W[strip];
      }
    }

    /** An integer in [0, n). */
    below(n) {
      return Math.floor(this.uniform() * n);
    }

    /**
     * Fill the (rows x cols) block of `out` (row stride ld) with N(0, spread²) draws, or with
     * U(-spread, spread) draws when `uniform` is true. Rows go through a float64 scratch row, so
     * that the drawing loop below always writes one array type (V8 compiles it once).
     */
    fillBlock(out, rows, cols, ld, spread, uniform) {
      if (out instanceof Float64Array && ld === cols) {
        this.fill(out, rows * cols, spread, uniform);
        return;
      }
      const row = new Float64Array(cols);
      for (let i = 0; i < rows; i++) {
        this.fill(row, cols, spread, uniform);
        out.set(row, i * ld);
      }
    }

    /** The first n entries of the Float64Array out, as fillBlock. State in locals: speed. */
    fill(out, n, spread, uniform) {
      const st = this.s;
      let a = st[0],
        b = st[1],
        c = st[2],
        d = st[3];
      let r, t;
      if (uniform) {
        // r / 2^32 is uniform on [-1/2, 1/2) in steps of 2^-32: w = 2 · spread · r / 2^32.
        const scale = 2 * spread * TWO_POW_M32;
        for (let i = 0; i < n; i++) {
          r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
          t = b << 9;
          c ^= a;
          d ^= b;
          b ^= c;
          a ^= d;
          c ^= t;
          d = rotl(d, 11);
          out[i] = r * scale;
        }
      } else {
        // The ziggurat (Marsaglia & Tsang 2000): the normal density is covered by 128 strips of
        // equal area; a draw lands inside its strip's core ~99% of the time, and is then just
        // x = hz · W[i] (a 7-bit strip index i and a 25-bit signed hz, from the same word's
        // other bits). Draws in a strip's edge or in the tail go to slowNormal.
        for (let i = 0; i < n; i++) {
          r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
          t = b << 9;
          c ^= a;
          d ^= b;
          b ^= c;
          a ^= d;
          c ^= t;
          d = rotl(d, 11);
          const strip = r & 127,
            hz = r >> 7;
          if (Math.abs(hz) < ZIG_K[strip]) {
            out[i] = spread * hz * ZIG_W[strip];
          } else {
            st[0] = a;
            st[1] = b;
            st[2] = c;
            st[3] = d;
            out[i] = spread * this.slowNormal(hz, strip);
            a = st[0];
            b = st[1];
            c = st[2];
            d = st[3];
          }
        }
      }
      st[0] = a;
      st[1] = b;
      st[2] = c;
      st[3] = d;
    }
  }

  function rotl(x, k) {
    return (x << k) | (x >>> (32 - k));
  }

  // ---------------------------------------------------------------------------------------------
  // Initializers (wtinit_lib.initializers): Var(w) = s / n with n = n_in, n_out or their mean.
  // ---------------------------------------------------------------------------------------------

  /** name -> [s, mode, distribution] of variance_scaling, as in wtinit_lib's named rules. */
  const VARIANCE_RULES = {
    lecun_normal: [1, 'fan_in', 'normal'], //   N(0, 1/n_in)           LeCun et al. 1998
    lecun_uniform: [1, 'fan_in', 'uniform'], // U(±sqrt(3/n_in))
    glorot_normal: [1, 'fan_avg', 'normal'], // N(0, 2/(n_in + n_out))  Glorot & Bengio 2010
    glorot_uniform: [1, 'fan_avg', 'uniform'], // U(±sqrt(6/(n_in + n_out)))
    he_normal: [2, 'fan_in', 'normal'], //      N(0, 2/n_in)           He et al. 2015
    he_uniform: [2, 'fan_in', 'uniform'], //    U(±sqrt(6/n_in))
  };

  /**
   * The initializers the playground offers: the notebook playground's short list
   * (wtinit_lib.playground.SIGNAL_INITIALIZERS, same labels), each there for a reason. Left out:
   * the aliases (Xavier is Glorot, Kaiming is He), `ones` (as symmetric as zeros) and the
   * uniform twins of the normal rules (same variance, so the same propagation: chapter 11).
   * weightRule still knows those rules (RULE_NAMES), so its table stays wtinit_lib's.
   */
  const INITIALIZERS = [
    { name: 'zeros', label: 'zeros' },
    { name: 'random_normal', label: 'N(0, 0.05²)' },
    { name: 'lecun_normal', label: 'LeCun normal' },
    { name: 'glorot_normal', label: 'Glorot normal' },
    { name: 'he_normal', label: 'He normal' },
    { name: 'orthogonal', label: 'orthogonal' },
  ];
  const INITIALIZER_NAMES = INITIALIZERS.map((i) => i.name);
  const RULE_NAMES = [
    ...INITIALIZER_NAMES,
    ...['ones', 'random_uniform', 'lecun_uniform', 'glorot_uniform', 'he_uniform'],
  ];
  /** The label an initializer is shown with (its name if it is not on the list). */
  function initializerLabel(name) {
    const entry = INITIALIZERS.find((i) => i.name === name);
    return entry ? entry.label : name;
  }

  /**
   * How initializer `name` draws an (n_in, n_out) kernel, before the scale multiplier:
   * {kind: 'normal', std} | {kind: 'uniform', limit} | {kind: 'constant', value}
   * | {kind: 'orthogonal'}.
   */
  function weightRule(name, nIn, nOut) {
    const rule = VARIANCE_RULES[name];
    if (rule) {
      const [s, mode, distribution] = rule;
      const n = mode === 'fan_in' ? nIn : mode === 'fan_out' ? nOut : (nIn + nOut) / 2;
      const variance = s / n;
      // A uniform on ±a has variance a²/3, so a = sqrt(3 · variance).
      return distribution === 'normal'
        ? { kind: 'normal', std: Math.sqrt(variance) }
        : { kind: 'uniform', limit: Math.sqrt(3 * variance) };
    }
    if (name === 'random_normal') return { kind: 'normal', std: 0.05 }; // Keras's RandomNormal
    if (name === 'random_uniform') return { kind: 'uniform', limit: 0.05 }; // Keras's RandomUniform
    if (name === 'zeros') return { kind: 'constant', value: 0 };
    if (name === 'ones') return { kind: 'constant', value: 1 };
    if (name === 'orthogonal') return { kind: 'orthogonal' };
    throw new Error(
      `Unknown initializer ${JSON.stringify(name)}; expected one of ${RULE_NAMES}`,
    );
  }

  /**
   * Draw an (nIn, nOut) kernel into the block `out` (row stride ld): the initializer's rule,
   * times `scale` (wtinit_lib.experiments.signal_propagation multiplies every kernel by it).
   */
  function drawKernel(out, nIn, nOut, ld, name, scale, rng) {
    const rule = weightRule(name, nIn, nOut);
    if (rule.kind === 'normal') {
      rng.fillBlock(out, nIn, nOut, ld, scale * rule.std, false);
    } else if (rule.kind === 'uniform') {
      rng.fillBlock(out, nIn, nOut, ld, scale * rule.limit, true);
    } else if (rule.kind === 'constant') {
      const v = scale * rule.value;
      for (let i = 0; i < nIn; i++) out.fill(v, i * ld, i * ld + nOut);
    } else {
      const q = orthogonal(nIn, nOut, rng);
      for (let i = 0; i < nIn; i++) {
        for (let j = 0; j < nOut; j++) out[i * ld + j] = scale * q[i * nOut + j];
      }
    }
  }

  // Standard draws per (seed, layer, shape, kind), kept between experiments: the rules of one
  // family differ only by a factor (std or limit), so changing the initializer within a family,
  // the scale, the activation or the depth draws nothing again. 64 MB at most per worker.
  const kernelCache = new Map();
  const KERNEL_CACHE_BYTES = 64e6;
  let kernelCacheBytes = 0;

  /**
   * drawKernel into the padded block M (layer ℓ of the signal experiment), from cached
   * standard draws: W = scale · spread · base, with base ~ N(0, 1) or U(-1, 1), or the cached
   * orthogonal matrix.
   */
  function cachedKernel(M, name, scale, seed, layer) {
    const { rows: nIn, cols: nOut, ld, data } = M;
    const rule = weightRule(name, nIn, nOut);
    if (rule.kind === 'constant') {
      drawKernel(data, nIn, nOut, ld, name, scale, null);
      return;
    }
    const key = `${seed}|${layer}|${nIn}x${nOut}|${rule.kind}|${data.constructor.name}`;
    let base = kernelCache.get(key);
    if (!base) {
      base = new data.constructor(nIn * nOut);
      if (rule.kind === 'orthogonal') base.set(orthogonal(nIn, nOut, new Rng(seed, layer)));
      else new Rng(seed, layer).fillBlock(base, nIn, nOut, nOut, 1, rule.kind === 'uniform');
      kernelCache.set(key, base);
      kernelCacheBytes += base.byteLength;
      for (const [k, v] of kernelCache) {
        if (kernelCacheBytes <= KERNEL_CACHE_BYTES) break;
        kernelCache.delete(k);
        kernelCacheBytes -= v.byteLength;
      }
    }
    const factor =
      scale * (rule.kind === 'normal' ? rule.std : rule.kind === 'uniform' ? rule.limit : 1);
    for (let i = 0; i < nIn; i++) {
      const src = i * nOut,
        dst = i * ld;
      for (let j = 0; j < nOut; j++) data[dst + j] = factor * base[src + j];
    }
  }

  /**
   * A (semi-)orthogonal (rows x cols) matrix, Haar distributed (Saxe et al. 2013), as
   * wtinit_lib.initializers.orthogonal: the Q of the QR decomposition of a Gaussian
   * (max x min) matrix, with the signs of R's diagonal folded in, transposed when rows < cols.
   * Householder QR in float64; the columns are stored contiguously so the inner loops are.
   */
  function orthogonal(rows, cols, rng) {
    const p = Math.max(rows, cols),
      q = Math.min(rows, cols);
    // G (p x q), column-major: G[j * p + i] is row i of column j.
    const G = new Float64Array(p * q);
    for (let i = 0; i < G.length; i++) G[i] = rng.normal();
    const vs = []; // Householder vectors v_k (length p - k) with H_k = I - 2 v v^T / (v^T v)
    const signs = new Float64Array(q);
    for (let k = 0; k < q; k++) {
      const col = k * p;
      let norm = 0;
      for (let i = k; i < p; i++) norm += G[col + i] * G[col + i];
      norm = Math.sqrt(norm);
      const alpha = G[col + k] >= 0 ? -norm : norm; // R[k, k] = alpha
      const v = new Float64Array(p - k);
      for (let i = k; i < p; i++) v[i - k] = G[col + i];
      v[0] -= alpha;
      let vv = 0;
      for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
      vs.push([v, vv]);
      signs[k] = alpha >= 0 ? 1 : -1; // numpy: q *= sign(diag(r))
      if (vv === 0) continue;
      for (let j = k + 1; j < q; j++) {
        const cj = j * p + k;
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += v[i] * G[cj + i];
        const f = (2 * dot) / vv;
        for (let i = 0; i < v.length; i++) G[cj + i] -= f * v[i];
      }
    }
    // Q (p x q) = H_1 ... H_q [I; 0]: apply the reflections in reverse order, column by column.
    const Q = new Float64Array(p * q);
    for (let j = 0; j < q; j++) Q[j * p + j] = 1;
    for (let k = q - 1; k >= 0; k--) {
      const [v, vv] = vs[k];
      if (vv === 0) continue;
      for (let j = 0; j < q; j++) {
        const cj = j * p + k;
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += v[i] * Q[cj + i];
        const f = (2 * dot) / vv;
        for (let i = 0; i < v.length; i++) Q[cj + i] -= f * v[i];
      }
    }
    // Row-major (rows x cols) result: Q itself when rows >= cols, else its transpose.
    const out = new Float64Array(rows * cols);
    for (let j = 0; j < q; j++) {
      for (let i = 0; i < p; i++) {
        const value = signs[j] * Q[j * p + i];
        if (rows >= cols) out[i * cols + j] = value;
        else out[j * cols + i] = value;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Activations (wtinit_lib.activations), each with its derivative beside it. Every derivative
  // here can be read off a = g(z): relu and leaky_relu have a > 0 exactly where z > 0.
  // ---------------------------------------------------------------------------------------------

  const LEAKY_RELU_SLOPE = 0.01; // PyTorch's default and wtinit_lib's

  function sigmoid(z) {
    // 1 / (1 + e^-z) without overflow for large |z| (scipy's expit).
    if (z >= 0) return 1 / (1 + Math.exp(-z));
    const e = Math.exp(z);
    return e / (1 + e);
  }

  const ACTIVATIONS = {
    //            g(z)                                g'(z) from a = g(z)
    linear: { g: (z) => z, dg: (a) => 1 },
    sigmoid: { g: sigmoid, dg: (a) => a * (1 - a) }, //    at most 1/4
    tanh: { g: Math.tanh, dg: (a) => 1 - a * a }, //       1 at z = 0
    relu: { g: (z) => (z <= 0 ? 0 : z), dg: (a) => (a > 0 ? 1 : 0) }, // NaN stays NaN
    leaky_relu: {
      g: (z) => (z > 0 ? z : LEAKY_RELU_SLOPE * z),
      dg: (a) => (a > 0 ? 1 : LEAKY_RELU_SLOPE), //    never exactly 0
    },
  };
  const ACTIVATION_NAMES = ['tanh', 'relu', 'leaky_relu', 'sigmoid', 'linear'];

  /** A = g(Z) in place on the (rows x cols) block of the matrix M; its padding is left at 0. */
  function activateInPlace(M, name) {
    const { data, rows, cols, ld } = M;
    if (name === 'linear') return;
    for (let i = 0; i < rows; i++) {
      const row = i * ld;
      if (name === 'tanh') {
        for (let j = row; j < row + cols; j++) data[j] = Math.tanh(data[j]);
      } else if (name === 'relu') {
        for (let j = row; j < row + cols; j++) if (data[j] <= 0) data[j] = 0;
      } else if (name === 'leaky_relu') {
        for (let j = row; j < row + cols; j++) if (!(data[j] > 0)) data[j] *= LEAKY_RELU_SLOPE;
      } else {
        for (let j = row; j < row + cols; j++) data[j] = sigmoid(data[j]);
      }
    }
  }

  /** dZ = dA ⊙ g'(Z) in place in dA, with g'(Z) read off A = g(Z). */
  function multiplyDerivativeInPlace(dA, A, name) {
    if (name === 'linear') return;
    const { rows, cols, ld } = dA;
    const d = dA.data,
      a = A.data,
      lda = A.ld;
    for (let i = 0; i < rows; i++) {
      const rd = i * ld,
        ra = i * lda;
      if (name === 'tanh') {
        for (let j = 0; j < cols; j++) {
          const x = a[ra + j];
          d[rd + j] *= 1 - x * x;
        }
      } else if (name === 'relu') {
        for (let j = 0; j < cols; j++) if (!(a[ra + j] > 0)) d[rd + j] = 0;
      } else if (name === 'leaky_relu') {
        for (let j = 0; j < cols; j++) if (!(a[ra + j] > 0)) d[rd + j] *= LEAKY_RELU_SLOPE;
      } else {
        for (let j = 0; j < cols; j++) {
          const x = a[ra + j];
          d[rd + j] *= x * (1 - x);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Back ends. A matrix is {data, rows, cols, ld}: entry (i, j) is data[i * ld + j]. Both back
  // ends offer nn (C = A B), tn (C = A^T B) and nt (C = A B^T).
  // ---------------------------------------------------------------------------------------------

  /** Plain JavaScript in float64, no padding: numpy's arithmetic, for any size. */
  const jsBackend = {
    name: 'js-float64',
    precision: 'float64',
    allocate(shapes) {
      return shapes.map(([rows, cols]) => ({
        rows,
        cols,
        ld: cols,
        data: new Float64Array(rows * cols),
      }));
    },
    nn(C, A, B) {
      // C[i, :] = Σ_k A[i, k] B[k, :], the inner loop over contiguous rows of B and C.
      const m = A.rows,
        K = A.cols,
        n = B.cols,
        lda = A.ld,
        ldb = B.ld,
        ldc = C.ld;
      const c = C.data,
        a = A.data,
        b = B.data;
      for (let i = 0; i < m; i++) {
        const rc = i * ldc,
          ra = i * lda;
        c.fill(0, rc, rc + n);
        for (let k = 0; k < K; k++) {
          const x = a[ra + k];
          if (x === 0) continue; // ReLU zeros: a quarter to a half of A
          const rb = k * ldb;
          for (let j = 0; j < n; j++) c[rc + j] += x * b[rb + j];
        }
      }
    },
    tn(C, A, B) {
      // C[p, :] = Σ_i A[i, p] B[i, :]
      const m = A.rows,
        K = A.cols,
        n = B.cols,
        lda = A.ld,
        ldb = B.ld,
        ldc = C.ld;
      const c = C.data,
        a = A.data,
        b = B.data;
      for (let p = 0; p < K; p++) c.fill(0, p * ldc, p * ldc + n);
      for (let i = 0; i < m; i++) {
        const rb = i * ldb,
          ra = i * lda;
        for (let p = 0; p < K; p++) {
          const x = a[ra + p];
          if (x === 0) continue;
          const rc = p * ldc;
          for (let j = 0; j < n; j++) c[rc + j] += x * b[rb + j];
        }
      }
    },
    nt(C, A, B) {
      // C[i, p] = Σ_j A[i, j] B[p, j]: a dot product of two rows.
      const m = A.rows,
        n = A.cols,
        K = B.rows,
        lda = A.ld,
        ldb = B.ld,
        ldc = C.ld;
      const c = C.data,
        a = A.data,
        b = B.data;
      for (let i = 0; i < m; i++) {
        const ra = i * lda;
        for (let p = 0; p < K; p++) {
          const rb = p * ldb;
          let s = 0;
          for (let j = 0; j < n; j++) s += a[ra + j] * b[rb + j];
          c[i * ldc + p] = s;
        }
      }
    },
  };

  const pad8 = (n) => (n + 7) & ~7;

  /**
   * WebAssembly SIMD in float32 (kernels.wat). Every dimension is padded to a multiple of 8 with
   * zeros, which the kernels' tiles need; padding never changes the real entries (padded rows and
   * columns of W are 0, and the engine keeps the padding of A and dZ at 0).
   */
  class WasmBackend {
    constructor(instance, variant) {
      this.k = instance.exports;
      this.memory = instance.exports.memory;
      this.name = `wasm-simd-float32${variant === 'relaxed' ? '-fma' : ''}`;
      this.precision = 'float32';
    }

    /** Matrices for one computation, laid out one after the other; earlier ones become invalid. */
    allocate(shapes) {
      const sizes = shapes.map(([rows, cols]) => pad8(rows) * pad8(cols) * 4);
      const total = sizes.reduce((s, x) => s + x, 0);
      const have = this.memory.buffer.byteLength;
      if (total > have) this.memory.grow(Math.ceil((total - have) / 65536));
      const buffer = this.memory.buffer;
      new Float32Array(buffer, 0, total / 4).fill(0);
      let offset = 0;
      return shapes.map(([rows, cols], i) => {
        const M = {
          rows,
          cols,
          ld: pad8(cols),
          prows: pad8(rows),
          ptr: offset,
          data: new Float32Array(buffer, offset, pad8(rows) * pad8(cols)),
        };
        offset += sizes[i];
        return M;
      });
    }

    nn(C, A, B) {
      this.k.gemm_nn(C.ptr, A.ptr, B.ptr, A.prows, A.ld, B.ld);
    }

    tn(C, A, B) {
      this.k.gemm_tn(C.ptr, A.ptr, B.ptr, A.prows, A.ld, B.ld);
    }

    nt(C, A, B) {
      this.k.gemm_nt(C.ptr, A.ptr, B.ptr, A.prows, B.prows, A.ld);
    }
  }

  function base64Bytes(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  /**
   * The fastest WebAssembly back end this browser runs: relaxed SIMD (fused multiply-add) if it
   * validates, else plain SIMD; null without WebAssembly SIMD (then everything runs in JS).
   */
  async function createWasmBackend(kernels, prefer) {
    if (typeof WebAssembly !== 'object' || !kernels) return null;
    const order = prefer === 'simd' ? ['simd'] : ['relaxed', 'simd'];
    for (const variant of order) {
      const bytes = base64Bytes(kernels[variant]);
      if (!WebAssembly.validate(bytes)) continue;
      const { instance } = await WebAssembly.instantiate(bytes);
      return new WasmBackend(instance, variant);
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Statistics, as numpy computes them. A layer's entries may come in several pieces (one per
  // worker, each with some of the rows): every function takes a list of blocks.
  // ---------------------------------------------------------------------------------------------

  /**
   * Count, mean and sum of squared deviations of the block, in one pass over sums shifted by the
   * block's first entry K: Σ(x - K) and Σ(x - K)² lose no digits while |mean - K| is a few
   * standard deviations, which a data value's distance to the mean is.
   */
  function moments(M) {
    const { data, rows, cols, ld } = M;
    const K = data[0];
    let s1 = 0,
      s2 = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = i * ld, end = j + cols; j < end; j++) {
        const d = data[j] - K;
        s1 += d;
        s2 += d * d;
      }
    }
    const n = rows * cols;
    return { n, mean: K + s1 / n, m2: Math.max(s2 - (s1 * s1) / n, 0) };
  }

  /** Moments of the union of pieces (Chan, Golub & LeVeque's pairwise update). */
  function mergeMoments(parts) {
    let n = 0,
      mean = 0,
      m2 = 0;
    for (const p of parts) {
      if (!p.n) continue;
      const total = n + p.n,
        delta = p.mean - mean;
      mean += (delta * p.n) / total;
      m2 += p.m2 + (delta * delta * n * p.n) / total;
      n = total;
    }
    return { n, mean, m2 };
  }

  /** np.std and np.mean from moments; NaN as soon as an entry was not finite. */
  function summary(mom) {
    const std = Math.sqrt(mom.m2 / mom.n);
    return { mean: mom.mean, std: Number.isFinite(std) && Number.isFinite(mom.mean) ? std : NaN };
  }

  /** A compact copy of the (rows x cols) block of M (dW's buffer is reused layer after layer). */
  function copyBlock(M) {
    const { data, rows, cols, ld } = M;
    const out = new data.constructor(rows * cols);
    for (let i = 0; i < rows; i++) out.set(data.subarray(i * ld, i * ld + cols), i * cols);
    return { data: out, rows, cols, ld: cols };
  }

  /**
   * The sum of same-shaped compact blocks (the pieces of dW = Σ_parts A_part^T dZ_part), written
   * into the first one, and its moments, in one pass (shifted sums, as moments).
   */
  function sumWithMoments(blocks) {
    const out = blocks[0].data,
      n = out.length;
    const others = blocks.slice(1).map((b) => b.data);
    let K = out[0];
    for (const d of others) K += d[0];
    let s1 = 0,
      s2 = 0;
    if (others.length === 1) {
      const d = others[0];
      for (let i = 0; i < n; i++) {
        const x = (out[i] += d[i]) - K;
        s1 += x;
        s2 += x * x;
      }
    } else {
      for (let i = 0; i < n; i++) {
        let x = out[i];
        for (const d of others) x += d[i];
        out[i] = x;
        s1 += x - K;
        s2 += (x - K) * (x - K);
      }
    }
    return {
      block: blocks[0],
      moments: { n, mean: K + s1 / n, m2: Math.max(s2 - (s1 * s1) / n, 0) },
    };
  }

  // The next two functions skip non-finite entries, as wtinit_lib.plotting._finite: x - x is
  // 0 for a finite x and NaN for ±Infinity and NaN.

  /**
   * np.percentile(|finite entries|, q) with linear interpolation, in O(n): a histogram of |x|
   * finds the bin that holds the wanted order statistic, and only the values from that bin up
   * are sorted.
   */
  function absPercentile(blocks, q) {
    let max = 0,
      n = 0;
    for (const { data, rows, cols, ld } of blocks) {
      for (let i = 0; i < rows; i++) {
        for (let j = i * ld, end = j + cols; j < end; j++) {
          const x = Math.abs(data[j]);
          if (x - x !== 0) continue;
          n++;
          if (x > max) max = x;
        }
      }
    }
    if (!n) return NaN;
    if (max === 0) return 0;
    const BINS = 4096,
      toBin = BINS / max;
    const counts = new Int32Array(BINS + 1);
    for (const { data, rows, cols, ld } of blocks) {
      for (let i = 0; i < rows; i++) {
        for (let j = i * ld, end = j + cols; j < end; j++) {
          const x = Math.abs(data[j]);
          if (x - x === 0) counts[Math.floor(x * toBin)]++;
        }
      }
    }
    const pos = (q / 100) * (n - 1);
    const lo = Math.floor(pos);
    let below = 0,
      bin = 0; // `below` values lie in the bins before `bin`
    while (below + counts[bin] <= lo) below += counts[bin++];
    const top = new Float64Array(n - below);
    let k = 0;
    for (const { data, rows, cols, ld } of blocks) {
      for (let i = 0; i < rows; i++) {
        for (let j = i * ld, end = j + cols; j < end; j++) {
          const x = Math.abs(data[j]);
          if (x - x === 0 && x * toBin >= bin) top[k++] = x;
        }
      }
    }
    const sorted = top.subarray(0, k).sort();
    const a = sorted[lo - below];
    const b = lo + 1 - below < k ? sorted[lo + 1 - below] : a;
    return a + (pos - lo) * (b - a);
  }

  /**
   * np.histogram(finite entries, bins, range): equal bins, the last one closed on the right;
   * also the std of the finite entries (the panel's title in wtinit_lib's figure).
   */
  function histogram(blocks, bins, [lo, hi]) {
    const counts = new Array(bins).fill(0);
    const toBin = bins / (hi - lo);
    const parts = [];
    for (const M of blocks) {
      const { data, rows, cols, ld } = M;
      const K = data[0] - data[0] === 0 ? data[0] : 0;
      let n = 0,
        s1 = 0,
        s2 = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = i * ld, end = j + cols; j < end; j++) {
          const x = data[j];
          if (x - x !== 0) continue;
          n++;
          s1 += x - K;
          s2 += (x - K) * (x - K);
          if (x < lo || x > hi) continue;
          const b = Math.floor((x - lo) * toBin);
          counts[b < bins ? b : bins - 1]++;
        }
      }
      parts.push({ n, mean: K + s1 / n, m2: Math.max(s2 - (s1 * s1) / n, 0) });
    }
    const all = mergeMoments(parts);
    return { counts, std: Math.sqrt(all.m2 / all.n) };
  }

  /**
   * wtinit_lib.plotting._common_range: a symmetric range holding 99.5% of every layer's finite
   * values, default (-1, 1). `layers` is a list of block lists.
   */
  function commonRange(layers) {
    let bound = 0;
    for (const blocks of layers) {
      const p = absPercentile(blocks, 99.5);
      if (p > bound) bound = p;
    }
    if (!(bound > 0) || !Number.isFinite(bound)) bound = 1;
    return [-bound, bound];
  }

  /** The hidden layers (0-based) whose histograms are drawn: the figure's evenly spaced ones. */
  function shownLayers(depth, maxPanels = 6) {
    const count = Math.min(depth, maxPanels);
    const shown = new Set();
    for (let k = 0; k < count; k++) {
      shown.add(count === 1 ? 0 : Math.round((k * (depth - 1)) / (count - 1)));
    }
    return [...shown].sort((a, b) => a - b);
  }

  // ---------------------------------------------------------------------------------------------
  // The signal experiment: wtinit_lib.experiments.signal_propagation.
  // ---------------------------------------------------------------------------------------------

  const SIGNAL_DEFAULTS = {
    depth: 10,
    width: 100,
    activation: 'tanh',
    weight_init: 'glorot_normal',
    scale: 1,
    seed: 0,
    n_samples: 256,
  };
  const HIST_BINS = 40;
  const MAX_PANELS = 6;

  function checkedSignalSettings(settings) {
    const s = { ...SIGNAL_DEFAULTS, ...settings };
    for (const key of ['depth', 'width', 'n_samples', 'seed']) {
      if (!Number.isInteger(s[key]) || s[key] < (key === 'seed' ? 0 : 1)) {
        throw new Error(`Argument \`${key}\` must be a positive int. Received: ${key}=${s[key]}`);
      }
    }
    if (!ACTIVATIONS[s.activation]) {
      throw new Error(
        `Argument \`activation\` must be one of ${ACTIVATION_NAMES}. Received: ${s.activation}`,
      );
    }
    weightRule(s.weight_init, s.width, s.width); // throws on an unknown name
    if (!(s.scale > 0))
      throw new Error(`Argument \`scale\` must be positive. Received: ${s.scale}`);
    return s;
  }

  /**
   * One forward and one backward pass through MLP([width] * (depth + 1) + [1], activation,
   * sigmoid output), for the rows [r0, r1) of the batch: L = depth + 1 layers, every kernel
   * drawn by weight_init times scale, zero biases; the input X has n_samples rows of N(0, 1)
   * and the targets Y are random 0/1 labels. Every part draws the same weights, X and Y (they
   * depend only on the seed), so parts computed by several workers add up to the whole batch:
   * the rows are independent until dW^ℓ = Σ_rows A^(ℓ-1)[row]^T dZ^ℓ[row], summed by combine.
   *
   * `given` (tests only) replaces the draws: {weights: [W^1..W^L] row-major, X row-major, Y}.
   */
  function signalPart(settings, backend, rowRange, given) {
    const s = checkedSignalSettings(settings);
    const { depth, width, activation, weight_init: init, scale, seed } = s;
    const M = s.n_samples;
    const [r0, r1] = rowRange || [0, M];
    const m = r1 - r0; // this part's rows; the loss still averages over all M
    const L = depth + 1;
    const sizes = [...Array(depth + 1).fill(width), 1]; // layer_sizes, length L + 1
    const t0 = now();

    // Memory: W^1..W^L, A^0..A^L (A^ℓ is computed in place over Z^ℓ), dW, dZ^L, dA twice.
    const shapes = [];
    for (let l = 1; l <= L; l++) shapes.push([sizes[l - 1], sizes[l]]);
    for (let l = 0; l <= L; l++) shapes.push([m, sizes[l]]);
    shapes.push([width, width], [m, 1], [m, width], [m, width]);
    const mats = backend.allocate(shapes);
    const W = mats.slice(0, L); // W[l - 1] is W^ℓ
    const A = mats.slice(L, 2 * L + 1); // A[l] is A^ℓ
    const [dW, dZout, ...dAbufs] = mats.slice(2 * L + 1);

    // Draws: one stream per kernel (a layer's weights do not depend on the depth), then X, Y.
    const X = new Float64Array(M * width);
    const Y = new Float64Array(M);
    if (given) {
      given.weights.forEach((w, i) => copyIn(W[i], w));
      X.set(given.X);
      Y.set(given.Y);
    } else {
      for (let l = 1; l <= L; l++) cachedKernel(W[l - 1], init, scale, seed, l);
      new Rng(seed, 1000).fillBlock(X, M, width, width, 1, false);
      const rng = new Rng(seed, 1001);
      for (let i = 0; i < M; i++) Y[i] = rng.int32() < 0 ? 1 : 0; // random 0/1 labels
    }
    for (let i = 0; i < m; i++) {
      A[0].data.set(X.subarray((r0 + i) * width, (r0 + i + 1) * width), i * A[0].ld);
    }
    const t1 = now();

    // Forward: Z^ℓ = A^(ℓ-1) W^ℓ (b^ℓ = 0), A^ℓ = g(Z^ℓ), and a sigmoid at ℓ = L.
    for (let l = 1; l <= L; l++) {
      backend.nn(A[l], A[l - 1], W[l - 1]);
      activateInPlace(A[l], l === L ? 'sigmoid' : activation);
    }
    const t2 = now();

    // The loss, binary cross-entropy from the logits log(1 + e^z) - z y: Z^L again in float64,
    // z_i = Σ_k A^(L-1)[i, k] W^L[k, 0] (sigmoid(z) has lost z's digits where it saturated).
    const prev = A[L - 1],
      WL = W[L - 1],
      out = A[L];
    let lossSum = 0;
    for (let i = 0; i < m; i++) {
      let z = 0;
      for (let k = 0; k < width; k++) z += prev.data[i * prev.ld + k] * WL.data[k * WL.ld];
      lossSum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - z * Y[r0 + i];
    }

    // Backward. dZ^L = (sigmoid(Z^L) - Y) / (M · 1): the loss averages over the M outputs.
    let dZ = dZout;
    for (let i = 0; i < m; i++) dZ.data[i * dZ.ld] = (out.data[i * out.ld] - Y[r0 + i]) / M;
    // A part with every row has the whole dW^ℓ: its moments now, a copy only when drawn.
    // Otherwise dW^ℓ is a partial sum, kept for combine.
    const complete = m === M;
    const shown = shownLayers(depth, MAX_PANELS);
    const dWs = new Array(depth),
      gradMoments = complete ? new Array(depth) : null;
    for (let l = L; l >= 1; l--) {
      if (l <= depth) {
        backend.tn(dW, A[l - 1], dZ); // dW^ℓ = A^(ℓ-1)^T dZ^ℓ, a hidden layer: record it
        if (complete) gradMoments[l - 1] = moments(dW);
        if (!complete || shown.includes(l - 1)) dWs[l - 1] = copyBlock(dW);
      }
      if (l === 1) break;
      // dA^(ℓ-1) = dZ^ℓ W^ℓ^T, then dZ^(ℓ-1) = dA^(ℓ-1) ⊙ g'(Z^(ℓ-1)) in the same buffer.
      const dA = dZ === dAbufs[0] ? dAbufs[1] : dAbufs[0];
      backend.nt(dA, dZ, W[l - 1]);
      multiplyDerivativeInPlace(dA, A[l - 1], activation);
      dZ = dA;
    }
    const t3 = now();
    return {
      settings: s,
      backend: backend.name,
      precision: backend.precision,
      rows: m,
      loss_sum: lossSum,
      act_moments: A.slice(1, depth + 1).map(moments),
      acts_shown: shown.map((i) => copyBlock(A[i + 1])),
      dWs: dWs.filter(Boolean), // every hidden layer's, or (complete) the shown layers'
      grad_moments: gradMoments,
      timing: { weights: t1 - t0, forward: t2 - t1, backward: t3 - t2 },
    };
  }

  /** The whole experiment's statistics from its parts (one per worker, or a single one). */
  function combine(parts) {
    const t0 = now();
    const s = parts[0].settings;
    const depth = s.depth;
    const shown = shownLayers(depth, MAX_PANELS);
    const act = [],
      grad = [];
    const gradShown = [];
    for (let l = 0; l < depth; l++) {
      act.push(summary(mergeMoments(parts.map((p) => p.act_moments[l]))));
      if (parts.length === 1 && parts[0].grad_moments) {
        grad.push(summary(parts[0].grad_moments[l]));
        if (shown.includes(l)) gradShown.push([parts[0].dWs[shown.indexOf(l)]]);
      } else {
        const { block, moments: mom } = sumWithMoments(parts.map((p) => p.dWs[l]));
        grad.push(summary(mom));
        if (shown.includes(l)) gradShown.push([block]);
      }
    }
    const actShown = shown.map((_, k) => parts.map((p) => p.acts_shown[k]));
    const result = {
      settings: s,
      backend: parts[0].backend,
      precision: parts[0].precision,
      workers: parts.length,
      act_stds: act.map((x) => x.std),
      grad_stds: grad.map((x) => x.std),
      act_means: act.map((x) => x.mean),
      grad_means: grad.map((x) => x.mean),
      loss: parts.reduce((sum, p) => sum + p.loss_sum, 0) / s.n_samples,
      shown: shown.map((i) => i + 1),
      hist: { act: histogramsOf(actShown), grad: histogramsOf(gradShown) },
      timing: {},
    };
    for (const key of ['weights', 'forward', 'backward']) {
      result.timing[key] = Math.max(...parts.map((p) => p.timing[key]));
    }
    result.timing.combine = now() - t0;
    return result;
  }

  function histogramsOf(layers) {
    const range = commonRange(layers);
    const hists = layers.map((blocks) => histogram(blocks, HIST_BINS, range));
    return {
      range,
      bins: HIST_BINS,
      counts: hists.map((h) => h.counts),
      stds: hists.map((h) => h.std),
    };
  }

  function copyIn(M, values) {
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < M.cols; j++) M.data[i * M.ld + j] = values[i * M.cols + j];
    }
  }

  /**
   * Float32 spans ~1.2e-38 .. 3.4e38. When a statistic leaves [1e-30, 1e30] or is not finite,
   * float32 numbers may have under- or overflowed where numpy's float64 would not: the page then
   * computes the experiment again in float64.
   */
  function needsFloat64(result) {
    if (result.precision === 'float64') return false;
    const inRange = (x) => x === 0 || (x >= 1e-30 && x <= 1e30);
    return !result.act_stds.every(inRange) || !result.grad_stds.every(inRange);
  }

  /** The experiment in one piece: the rows all at once, on `backend`. */
  function signalPropagation(settings, backend, given) {
    return combine([signalPart(settings, backend, null, given)]);
  }

  // ---------------------------------------------------------------------------------------------
  // Data sets (wtinit_lib.datasets): the same shapes, noise and labels; other random draws.
  // ---------------------------------------------------------------------------------------------

  function shuffled(X, y, rng) {
    // Fisher-Yates, applied to the rows of X and to y together.
    const n = y.length;
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const Xs = new Float64Array(2 * n),
      ys = new Float64Array(n);
    order.forEach((src, dst) => {
      Xs[2 * dst] = X[2 * src];
      Xs[2 * dst + 1] = X[2 * src + 1];
      ys[dst] = y[src];
    });
    return { X: Xs, y: ys, n };
  }

  function addNoise(X, noise, rng) {
    for (let i = 0; i < X.length; i++) X[i] += noise * rng.normal();
  }

  /** Two concentric circles: radius 1 (label 0, n // 2 points) and `factor` (label 1). */
  function circles(n = 300, noise = 0.05, factor = 0.5, seed = 0) {
    const rng = new Rng(seed, 2000);
    const nOuter = Math.floor(n / 2),
      nInner = n - nOuter;
    const X = new Float64Array(2 * n),
      y = new Float64Array(n);
    let row = 0;
    for (const [count, radius, label] of [
      [nOuter, 1, 0],
      [nInner, factor, 1],
    ]) {
      for (let j = 0; j < count; j++, row++) {
        const theta = (2 * Math.PI * j) / count; // evenly spaced, endpoint excluded
        X[2 * row] = radius * Math.cos(theta);
        X[2 * row + 1] = radius * Math.sin(theta);
        y[row] = label;
      }
    }
    addNoise(X, noise, rng);
    return shuffled(X, y, rng);
  }

  /** Two interleaving half circles: (cos t, sin t) label 0, (1 - cos t, 0.5 - sin t) label 1. */
  function moons(n = 300, noise = 0.1, seed = 0) {
    const rng = new Rng(seed, 2001);
    const nUpper = Math.floor(n / 2),
      nLower = n - nUpper;
    const X = new Float64Array(2 * n),
      y = new Float64Array(n);
    let row = 0;
    for (let j = 0; j < nUpper; j++, row++) {
      const t = nUpper > 1 ? (Math.PI * j) / (nUpper - 1) : 0; // np.linspace(0, pi, n_upper)
      X[2 * row] = Math.cos(t);
      X[2 * row + 1] = Math.sin(t);
    }
    for (let j = 0; j < nLower; j++, row++) {
      const t = nLower > 1 ? (Math.PI * j) / (nLower - 1) : 0;
      X[2 * row] = 1 - Math.cos(t);
      X[2 * row + 1] = 0.5 - Math.sin(t);
      y[row] = 1;
    }
    addNoise(X, noise, rng);
    return shuffled(X, y, rng);
  }

  /** Spiral arms: arm k has radii r evenly in [0, 1], angles 2πk/classes + 4r, r (sin θ, cos θ). */
  function spirals(nPerClass = 150, classes = 2, noise = 0.05, seed = 0) {
    const rng = new Rng(seed, 2002);
    const n = nPerClass * classes;
    const X = new Float64Array(2 * n),
      y = new Float64Array(n);
    let row = 0;
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < nPerClass; j++, row++) {
        const r = nPerClass > 1 ? j / (nPerClass - 1) : 0;
        const theta = (2 * Math.PI * k) / classes + 4 * r;
        X[2 * row] = r * Math.sin(theta);
        X[2 * row + 1] = r * Math.cos(theta);
        y[row] = k;
      }
    }
    addNoise(X, noise, rng);
    return shuffled(X, y, rng);
  }

  /** The training set and a test set (a fresh draw with the next seed), as in the chapters. */
  function dataset(name, seed = 0, noise = null) {
    const make = {
      circles: (n, s) => circles(n, noise ?? 0.05, 0.5, s),
      moons: (n, s) => moons(n, noise ?? 0.1, s),
      spirals: (n, s) => spirals(n / 2, 2, noise ?? 0.05, s),
    }[name];
    if (!make) throw new Error(`Unknown data set ${name}`);
    return { name, train: make(300, seed), test: make(100, seed + 1) };
  }

  // ---------------------------------------------------------------------------------------------
  // Training: wtinit_lib.MLP.fit with full-batch gradient descent, W ← W - η dW, b ← b - η db.
  // ---------------------------------------------------------------------------------------------

  class Network {
    /**
     * layerSizes [n_0, ..., n_L]; kernels drawn by `init` times `scale` (or given as row-major
     * arrays), zero biases (or given).
     */
    constructor(layerSizes, activation, init, scale, seed, given) {
      this.sizes = layerSizes;
      this.L = layerSizes.length - 1;
      this.activation = activation;
      this.W = [];
      this.b = [];
      for (let l = 1; l <= this.L; l++) {
        const [nIn, nOut] = [layerSizes[l - 1], layerSizes[l]];
        const W = { rows: nIn, cols: nOut, ld: nOut, data: new Float64Array(nIn * nOut) };
        if (given) W.data.set(given.weights[l - 1]);
        else drawKernel(W.data, nIn, nOut, nOut, init, scale, new Rng(seed, l));
        this.W.push(W);
        this.b.push(
          given && given.biases ? Float64Array.from(given.biases[l - 1]) : new Float64Array(nOut),
        );
      }
      this.dW = this.W.map((W) => jsBackend.allocate([[W.rows, W.cols]])[0]);
      this.buffers = new Map(); // per batch size: A^1..A^L, dZ and dA scratch
    }

    scratch(m) {
      let buf = this.buffers.get(m);
      if (!buf) {
        const widest = Math.max(...this.sizes);
        buf = {
          A: this.sizes.slice(1).map((n) => jsBackend.allocate([[m, n]])[0]),
          logits: new Float64Array(m * this.sizes[this.L]),
          d: [0, 1].map(() => ({
            rows: m,
            cols: widest,
            ld: widest,
            data: new Float64Array(m * widest),
          })),
        };
        this.buffers.set(m, buf);
      }
      return buf;
    }

    /** A^ℓ for every layer, with A^0 = X (an (m x n_0) matrix); Z^L is kept as this.logits. */
    forward(X) {
      const buf = this.scratch(X.rows);
      const As = [X, ...buf.A];
      for (let l = 1; l <= this.L; l++) {
        const Z = As[l],
          b = this.b[l - 1];
        jsBackend.nn(Z, As[l - 1], this.W[l - 1]); // Z^ℓ = A^(ℓ-1) W^ℓ + b^ℓ
        const { data, rows, cols } = Z;
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) data[i * cols + j] += b[j];
        }
        if (l === this.L) buf.logits.set(data);
        activateInPlace(Z, l === this.L ? 'sigmoid' : this.activation); // A^ℓ = g(Z^ℓ)
      }
      this.logits = buf.logits;
      return As;
    }

    /** Binary cross-entropy from the logits, mean over all outputs: log(1 + e^z) - z y. */
    static loss(logits, Y) {
      let total = 0;
      for (let i = 0; i < logits.length; i++) {
        const z = logits[i];
        total += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - z * Y[i];
      }
      return total / logits.length;
    }

    /** One full-batch step; returns the loss before the update (History.loss's convention). */
    step(X, Y, lr) {
      const As = this.forward(X);
      const loss = Network.loss(this.logits, Y);
      if (!Number.isFinite(loss)) return loss;
      const buf = this.scratch(X.rows);
      const out = As[this.L];
      const size = out.rows * out.cols;
      let which = 0;
      let dZ = { rows: out.rows, cols: out.cols, ld: out.cols, data: buf.d[0].data };
      for (let i = 0; i < size; i++) dZ.data[i] = (out.data[i] - Y[i]) / size; // dZ^L
      for (let l = this.L; l >= 1; l--) {
        const W = this.W[l - 1],
          b = this.b[l - 1],
          dW = this.dW[l - 1];
        jsBackend.tn(dW, As[l - 1], dZ); // dW^ℓ = A^(ℓ-1)^T dZ^ℓ
        const db = new Float64Array(W.cols); // db^ℓ = dZ^ℓ summed over the examples
        for (let i = 0; i < dZ.rows; i++) {
          for (let j = 0; j < dZ.cols; j++) db[j] += dZ.data[i * dZ.ld + j];
        }
        if (l > 1) {
          which = 1 - which;
          const dA = { rows: dZ.rows, cols: W.rows, ld: W.rows, data: buf.d[which].data };
          jsBackend.nt(dA, dZ, W); // dA^(ℓ-1) = dZ^ℓ W^ℓ^T, with W^ℓ before its update
          multiplyDerivativeInPlace(dA, As[l - 1], this.activation); // dZ^(ℓ-1)
          dZ = dA;
        }
        const w = W.data,
          g = dW.data;
        for (let i = 0; i < w.length; i++) w[i] -= lr * g[i]; //          W ← W - η dW
        for (let j = 0; j < b.length; j++) b[j] -= lr * db[j]; //          b ← b - η db
      }
      return loss;
    }

    /** sigmoid(Z^L) for every row of X. */
    predict(X) {
      return this.forward(X)[this.L].data;
    }
  }

  function matrixOf(rows, cols, data) {
    return { rows, cols, ld: cols, data };
  }

  function accuracy(net, set) {
    const p = net.predict(matrixOf(set.n, 2, set.X));
    let right = 0;
    for (let i = 0; i < set.n; i++) right += (p[i] >= 0.5 ? 1 : 0) === set.y[i] ? 1 : 0;
    return right / set.n;
  }

  /** The grid on which decision boundaries are drawn: the data's box plus a margin. */
  function gridFor(set, cells = 64, margin = 0.25) {
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (let i = 0; i < set.n; i++) {
      x0 = Math.min(x0, set.X[2 * i]);
      x1 = Math.max(x1, set.X[2 * i]);
      y0 = Math.min(y0, set.X[2 * i + 1]);
      y1 = Math.max(y1, set.X[2 * i + 1]);
    }
    const box = { x0: x0 - margin, x1: x1 + margin, y0: y0 - margin, y1: y1 + margin, cells };
    // Cell centres, row 0 at the top (largest y): the order of an image's pixels.
    const X = new Float64Array(2 * cells * cells);
    for (let r = 0; r < cells; r++) {
      for (let c = 0; c < cells; c++) {
        const i = r * cells + c;
        X[2 * i] = box.x0 + ((c + 0.5) * (box.x1 - box.x0)) / cells;
        X[2 * i + 1] = box.y1 - ((r + 0.5) * (box.y1 - box.y0)) / cells;
      }
    }
    return { box, X: matrixOf(cells * cells, 2, X) };
  }

  const TRAIN_DEFAULTS = {
    dataset: 'circles',
    hidden: [10, 5],
    activation: 'relu',
    scale: 1,
    lr: 0.5,
    epochs: 2000,
    inits: ['zeros', 'random_normal', 'glorot_normal', 'he_normal'],
    seed: 0,
  };

  /** Several networks that differ only by their initializer, trained side by side. */
  class Comparison {
    constructor(settings) {
      this.settings = { ...TRAIN_DEFAULTS, ...settings };
      const s = this.settings;
      this.data = dataset(s.dataset, s.seed);
      this.grid = gridFor(this.data.train);
      this.Xtrain = matrixOf(this.data.train.n, 2, this.data.train.X);
      this.sizes = [2, ...s.hidden, 1];
      this.runs = s.inits.map((init) => ({
        init,
        net: new Network(this.sizes, s.activation, init, s.scale, s.seed),
        loss: [],
        diverged_at: null,
      }));
      this.epoch = 0;
    }

    get done() {
      return this.epoch >= this.settings.epochs || this.runs.every((r) => r.diverged_at);
    }

    /** Train every run for up to `epochs` more epochs (or `budgetMs` of time). */
    advance(epochs, budgetMs = Infinity) {
      const start = now();
      const { lr } = this.settings;
      let k = 0;
      while (k < epochs && !this.done && now() - start < budgetMs) {
        this.epoch++;
        for (const run of this.runs) {
          if (run.diverged_at) continue;
          const loss = run.net.step(this.Xtrain, this.data.train.y, lr);
          run.loss.push(loss);
          if (!Number.isFinite(loss)) run.diverged_at = this.epoch; // on_divergence="stop"
        }
        k++;
      }
      return k;
    }

    /**
     * What the page draws: the losses of epochs since+1.., accuracies and the predicted
     * probability sigmoid(Z^L) on every grid cell (row 0 at the top).
     */
    snapshot(since = 0) {
      return {
        settings: this.settings,
        epoch: this.epoch,
        since,
        done: this.done,
        box: this.grid.box,
        runs: this.runs.map((run) => ({
          init: run.init,
          loss: run.loss.slice(since),
          final_loss: run.loss.length ? run.loss[run.loss.length - 1] : null,
          diverged_at: run.diverged_at,
          train_acc: accuracy(run.net, this.data.train),
          test_acc: accuracy(run.net, this.data.test),
          grid: Float32Array.from(run.net.predict(this.grid.X)),
        })),
      };
    }

    /** The training points, for the scatter over each decision boundary. */
    points() {
      return { X: Array.from(this.data.train.X), y: Array.from(this.data.train.y) };
    }
  }

  /** Tests: MLP.fit on given arrays; returns the loss per epoch and the final parameters. */
  function trainGiven({ layerSizes, activation, weights, biases, X, Y, lr, epochs }) {
    const net = new Network(layerSizes, activation, null, 1, 0, { weights, biases });
    const Xm = matrixOf(Y.length, layerSizes[0], Float64Array.from(X));
    const Ya = Float64Array.from(Y);
    const loss = [];
    for (let e = 0; e < epochs; e++) {
      const value = net.step(Xm, Ya, lr);
      loss.push(value);
      if (!Number.isFinite(value)) break;
    }
    return {
      loss,
      weights: net.W.map((W) => Array.from(W.data)),
      biases: net.b.map((b) => Array.from(b)),
    };
  }

  function now() {
    return typeof performance === 'object' ? performance.now() : Date.now();
  }

  // ---------------------------------------------------------------------------------------------
  // Messages: the same handler serves a Web Worker and, without one, the page itself.
  // ---------------------------------------------------------------------------------------------

  /**
   * A handler for {type, ...} messages; `post(message, transfer)` sends replies. Training runs
   * in chunks of at most `chunkMs` milliseconds, scheduled with setTimeout, so that a 'stop' or
   * new settings are read between chunks.
   */
  function createHandler(post, { kernels = null, chunkMs = 40, pauseMs = 12 } = {}) {
    const backends = { wasm: null };
    let ready = null;
    const init = (prefer) => {
      ready = createWasmBackend(kernels, prefer)
        .catch(() => null)
        .then((wasm) => {
          backends.wasm = wasm;
        });
      return ready;
    };
    let training = null; // {comparison, id, timer, paused, sent}
    let kept = null; // this worker's part of a split signal experiment

    // Training animates: each chunk trains about 1/150 of the epochs (at most chunkMs of
    // work), then the page gets a snapshot and the next chunk waits for `pauseMs`.
    function trainChunk() {
      const t = training;
      if (!t) return;
      t.timer = null;
      const c = t.comparison;
      c.advance(Math.max(1, Math.ceil(c.settings.epochs / 150)), chunkMs);
      const snapshot = c.snapshot(t.sent);
      t.sent = c.epoch;
      post(
        { type: 'train', id: t.id, snapshot },
        snapshot.runs.map((r) => r.grid.buffer),
      );
      if (!c.done && !t.paused) t.timer = setTimeout(trainChunk, pauseMs);
    }

    return async function handle(msg) {
      if (msg.type === 'init') {
        await init(msg.prefer);
        post({ type: 'ready', backend: backends.wasm ? backends.wasm.name : jsBackend.name });
        return;
      }
      if (!ready) init();
      await ready;
      try {
        if (msg.type === 'signal') {
          // The whole experiment here; float64 when float32 left its range.
          const start = now();
          const fast = msg.backend === 'js' ? null : backends.wasm;
          let result = signalPropagation(msg.settings, fast || jsBackend);
          if (needsFloat64(result)) {
            result = signalPropagation(msg.settings, jsBackend);
            result.float32_out_of_range = true;
          }
          result.timing.worker_total = now() - start;
          post({ type: 'signal', id: msg.id, result });
        } else if (msg.type === 'signal-part') {
          // Some rows of the batch. With `keep`, this worker keeps its part for signal-combine;
          // otherwise the part goes back (its buffers moved, not copied) to be passed on.
          const fast = msg.backend === 'js' ? null : backends.wasm;
          const part = signalPart(msg.settings, fast || jsBackend, msg.rows);
          if (msg.keep) {
            kept = part;
            post({ type: 'signal-part', id: msg.id, kept: true });
          } else {
            const transfer = [...part.dWs, ...part.acts_shown].map((b) => b.data.buffer);
            post({ type: 'signal-part', id: msg.id, part }, transfer);
          }
        } else if (msg.type === 'signal-combine') {
          // The kept part and the others' add up to the whole experiment (float64 if needed).
          const start = now();
          let result = combine([kept, ...msg.parts]);
          kept = null;
          if (needsFloat64(result)) {
            result = signalPropagation(msg.settings, jsBackend);
            result.float32_out_of_range = true;
          }
          result.timing.combine_total = now() - start;
          post({ type: 'signal', id: msg.id, result });
        } else if (msg.type === 'train-reset') {
          // New settings: the networks at initialization (epoch 0), paused.
          if (training && training.timer) clearTimeout(training.timer);
          const comparison = new Comparison(msg.settings);
          training = { comparison, id: msg.id, timer: null, paused: true, sent: 0 };
          const snapshot = comparison.snapshot(0);
          snapshot.points = comparison.points();
          post(
            { type: 'train', id: msg.id, snapshot },
            snapshot.runs.map((r) => r.grid.buffer),
          );
        } else if (msg.type === 'train-pause') {
          // Between two chunks: stop, and say where (the page shows "paused" only then).
          if (training) {
            training.paused = true;
            if (training.timer) clearTimeout(training.timer);
            training.timer = null;
            const snapshot = training.comparison.snapshot(training.sent);
            training.sent = training.comparison.epoch;
            snapshot.paused = true;
            post(
              { type: 'train', id: training.id, snapshot },
              snapshot.runs.map((r) => r.grid.buffer),
            );
          }
        } else if (msg.type === 'train-resume') {
          if (training && training.paused && !training.comparison.done) {
            training.paused = false;
            training.timer = setTimeout(trainChunk, 0);
          }
          if (training && training.comparison.done) {
            const snapshot = training.comparison.snapshot(training.sent);
            post(
              { type: 'train', id: training.id, snapshot },
              snapshot.runs.map((r) => r.grid.buffer),
            );
          }
        }
      } catch (error) {
        post({ type: 'error', id: msg.id, message: String((error && error.stack) || error) });
      }
    };
  }

  root.WtinitEngine = {
    Rng,
    INITIALIZERS,
    RULE_NAMES,
    initializerLabel,
    INITIALIZER_NAMES,
    ACTIVATION_NAMES,
    SIGNAL_DEFAULTS,
    TRAIN_DEFAULTS,
    weightRule,
    drawKernel,
    orthogonal,
    signalPart,
    combine,
    signalPropagation,
    needsFloat64,
    createWasmBackend,
    jsBackend,
    circles,
    moons,
    spirals,
    dataset,
    Network,
    Comparison,
    trainGiven,
    shownLayers,
    absPercentile,
    createHandler,
  };
})(typeof self !== 'undefined' ? self : globalThis);
