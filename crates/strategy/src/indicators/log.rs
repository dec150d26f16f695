//! The natural logarithm of a price: inline, and the same to the last bit on every platform.
//!
//! `f64::ln` calls the platform's libm. `pairs` takes two logarithms a bar, and on glibc each
//! costs about 51 instructions plus a call that makes the compiler spill the step's registers
//! around it; the last bit of the result may also differ between libm versions, and with it a
//! backtest's threshold crossings. (The `libm` and `pxfm` crates were measured: both cost
//! more instructions than glibc.) [`ln`] is the table-driven reduction of Tang ("Table-driven
//! implementation of the logarithm function in IEEE floating-point arithmetic", ACM TOMS
//! 16(4), 1990), written with an atanh series so that no step depends on a fused multiply-add:
//!
//! - `x = 2^k z` with `z` in `[1, 2)`; `c = 1 + i/128` is the nearest of 129 centres to `z`,
//!   so `|z - c| <= 1/256` and `z - c` is exact (Sterbenz). The centre of `z` near 1 is 1
//!   itself (and near 2 it is 2): close to `x = 1` nothing cancels.
//! - `ln x = k ln 2 + ln c + ln(z/c)`, and `ln(z/c) = 2 atanh(r)` with `r = (z - c)/(z + c)`,
//!   `|r| <= 1/512`: `2r (1 + r^2/3 + r^4/5)` leaves out `r^6/7 < 2^-57` relative.
//! - `ln c` comes from a table of double-doubles and `ln 2` is split so that `k * LN2_HI` is
//!   exact; both are computed in 60-digit decimal arithmetic by `tools/ln_table.py`, not by any
//!   libm. The sum of the large parts is exact (Fast2Sum); the small parts are added first.
//!
//! [`ln_pair`] takes two logarithms at once (`pairs` needs one per leg a bar): the same
//! operations on two lanes, which the compiler keeps in one vector register each, so the pair
//! costs little more than one.
//!
//! The result is within about one ulp of the exact logarithm (the tests compare it with the
//! platform's, which glibc documents as correctly rounded in nearly all cases). Zero, negative,
//! subnormal, infinite and NaN inputs take `f64::ln`.

/// `ln 2` cut to 42 significant bits, and the rest.
const LN2_HI: f64 = f64::from_bits(0x3fe62e42fefa3800);
const LN2_LO: f64 = f64::from_bits(0x3d2ef35793c76730);
/// `ln(1 + i/128)` as `(hi, lo)` bits, for i in 0..=128 (from `tools/ln_table.py`).
const LN_CENTRES: [(u64, u64); 129] = [
    (0x0000000000000000, 0x0000000000000000),
    (0x3f7fe02a6b106789, 0xbbce44b7e3711ebf),
    (0x3f8fc0a8b0fc03e4, 0xbc183092c59642a1),
    (0x3f97b91b07d5b11b, 0xbc35b602ace3a510),
    (0x3f9f829b0e783300, 0x3c333e3f04f1ef23),
    (0x3fa39e87b9febd60, 0xbc45bfa937f551bb),
    (0x3fa77458f632dcfc, 0x3c418d3ca87b9296),
    (0x3fab42dd711971bf, 0xbc3eb9759c130499),
    (0x3faf0a30c01162a6, 0x3c485f325c5bbacd),
    (0x3fb16536eea37ae1, 0xbc379da3e8c22cda),
    (0x3fb341d7961bd1d1, 0xbc5b599f227becbb),
    (0x3fb51b073f06183f, 0x3c5a49e39a1a8be4),
    (0x3fb6f0d28ae56b4c, 0xbc5906d99184b992),
    (0x3fb8c345d6319b21, 0xbc24a697ab3424a9),
    (0x3fba926d3a4ad563, 0x3c5942f48aa70ea9),
    (0x3fbc5e548f5bc743, 0x3c35d617ef8161b1),
    (0x3fbe27076e2af2e6, 0xbc361578001e0162),
    (0x3fbfec9131dbeabb, 0xbc55746b9981b36c),
    (0x3fc0d77e7cd08e59, 0x3c69a5dc5e9030ac),
    (0x3fc1b72ad52f67a0, 0x3c5483023472cd74),
    (0x3fc29552f81ff523, 0x3c6301771c407dbf),
    (0x3fc371fc201e8f74, 0x3c5de6cb62af18a0),
    (0x3fc44d2b6ccb7d1e, 0x3c69f4f6543e1f88),
    (0x3fc526e5e3a1b438, 0xbc6746ff8a470d3a),
    (0x3fc5ff3070a793d4, 0xbc5bc60efafc6f6e),
    (0x3fc6d60fe719d21d, 0xbc6caae268ecd179),
    (0x3fc7ab890210d909, 0x3c4be36b2d6a0608),
    (0x3fc87fa06520c911, 0xbc6bf7fdbfa08d9a),
    (0x3fc9525a9cf456b4, 0x3c6d904c1d4e2e26),
    (0x3fca23bc1fe2b563, 0x3c493711b07a998c),
    (0x3fcaf3c94e80bff3, 0xbc5398cff3641985),
    (0x3fcbc286742d8cd6, 0x3c54fce744870f55),
    (0x3fcc8ff7c79a9a22, 0xbc64f689f8434012),
    (0x3fcd5c216b4fbb91, 0x3c66e443597e4d40),
    (0x3fce27076e2af2e6, 0xbc461578001e0162),
    (0x3fcef0adcbdc5936, 0x3c648637950dc20d),
    (0x3fcfb9186d5e3e2b, 0xbc6caaae64f21acb),
    (0x3fd0402594b4d041, 0xbc628ec217a5022d),
    (0x3fd0a324e27390e3, 0x3c77dcfde8061c03),
    (0x3fd1058bf9ae4ad5, 0x3c589fa0ab4cb31d),
    (0x3fd1675cababa60e, 0x3c2ce63eab883717),
    (0x3fd1c898c16999fb, 0xbc30e5c62aff1c44),
    (0x3fd22941fbcf7966, 0xbc776f5eb09628af),
    (0x3fd2895a13de86a3, 0x3c77ad24c13f040e),
    (0x3fd2e8e2bae11d31, 0xbc78f4cdb95ebdf9),
    (0x3fd347dd9a987d55, 0xbc64dd4c580919f8),
    (0x3fd3a64c556945ea, 0xbc6c68651945f97c),
    (0x3fd404308686a7e4, 0xbc70bcfb6082ce6d),
    (0x3fd4618bc21c5ec2, 0x3c7f42decdeccf1d),
    (0x3fd4be5f957778a1, 0xbc6259b35b04813d),
    (0x3fd51aad872df82d, 0x3c43927ac19f55e3),
    (0x3fd5767717455a6c, 0x3c7526adb283660c),
    (0x3fd5d1bdbf5809ca, 0x3c74236383dc7fe1),
    (0x3fd62c82f2b9c795, 0x3c67b7af915300e5),
    (0x3fd686c81e9b14af, 0xbc6ddea0f7f58e3d),
    (0x3fd6e08eaa2ba1e4, 0xbc7cfb1b39ca3a0f),
    (0x3fd739d7f6bbd007, 0xbc78c76ceb014b04),
    (0x3fd792a55fdd47a2, 0x3c7f057691fe9ed7),
    (0x3fd7eaf83b82afc3, 0x3c792ce979ed2950),
    (0x3fd842d1da1e8b17, 0x3c724ec519784676),
    (0x3fd89a3386c1425b, 0xbc729639dfbbf0fb),
    (0x3fd8f11e873662c7, 0x3c7f85da755a61a3),
    (0x3fd947941c2116fb, 0xbc716cc8bae0bbe4),
    (0x3fd99d958117e08b, 0xbc6a2b6889dc3e72),
    (0x3fd9f323ecbf984c, 0xbc4a92e513217f5c),
    (0x3fda484090e5bb0a, 0x3c65fe535b875a75),
    (0x3fda9cec9a9a084a, 0xbc7cadec02b436af),
    (0x3fdaf1293247786b, 0x3c5133844a15dc28),
    (0x3fdb44f77bcc8f63, 0xbc7cd04495459c78),
    (0x3fdb9858969310fb, 0x3c7663ec53e23bc4),
    (0x3fdbeb4d9da71b7c, 0xbc40f3c590a887ca),
    (0x3fdc3dd7a7cdad4d, 0x3c7cecf052dea69b),
    (0x3fdc8ff7c79a9a22, 0xbc74f689f8434012),
    (0x3fdce1af0b85f3eb, 0x3c7edf4af2ab4267),
    (0x3fdd32fe7e00ebd5, 0x3c7877b232fafa37),
    (0x3fdd83e7258a2f3e, 0x3c741456e8bb2511),
    (0x3fddd46a04c1c4a1, 0xbc70467656d8b892),
    (0x3fde24881a7c6c26, 0x3c5cbd8f45954a46),
    (0x3fde744261d68788, 0xbc5c825c90c344b9),
    (0x3fdec399d2468cc0, 0x3c575cee53f35397),
    (0x3fdf128f5faf06ed, 0xbc7328df13bb38c3),
    (0x3fdf6123fa7028ac, 0x3c78515b0f2db341),
    (0x3fdfaf588f78f31f, 0xbc6328260d8abca0),
    (0x3fdffd2e0857f498, 0x3c7565f40d9321af),
    (0x3fe02552a5a5d0ff, 0xbc7cb1cb51408c00),
    (0x3fe04bdf9da926d2, 0x3c897f304022c9df),
    (0x3fe0723e5c1cdf40, 0x3c8395e58e2445bb),
    (0x3fe0986f4f573521, 0xbc81b8095ac02f01),
    (0x3fe0be72e4252a83, 0xbc8259da11330801),
    (0x3fe0e44985d1cc8c, 0xbc522a3442d2d384),
    (0x3fe109f39e2d4c97, 0xbc30e09b27a4373a),
    (0x3fe12f719593efbc, 0x3c84c048c671f435),
    (0x3fe154c3d2f4d5ea, 0xbc859c33171a6876),
    (0x3fe179eabbd899a1, 0xbc800e7c6417e0b4),
    (0x3fe19ee6b467c96f, 0xbc79d1a11443f10c),
    (0x3fe1c3b81f713c25, 0xbc80dac1c4c810e9),
    (0x3fe1e85f5e7040d0, 0x3c7ef62cd2f9f1e3),
    (0x3fe20cdcd192ab6e, 0xbc8b2bf0bc229014),
    (0x3fe23130d7bebf43, 0xbc8f48725e374d6e),
    (0x3fe2555bce98f7cb, 0x3c7e021d6d6881e7),
    (0x3fe2795e1289b11b, 0xbc6487c0c246978e),
    (0x3fe29d37fec2b08b, 0xbc7bd1949a2d1982),
    (0x3fe2c0e9ed448e8c, 0xbc81a158f3917586),
    (0x3fe2e47436e40268, 0x3c80150861a4886b),
    (0x3fe307d7334f10be, 0x3c6fb590a1f566da),
    (0x3fe32b1339121d71, 0x3c7902ab5b3d916b),
    (0x3fe34e289d9ce1d3, 0x3c66eb92d885ce4f),
    (0x3fe37117b54747b6, 0xbc7d117edbdd9103),
    (0x3fe393e0d3562a1a, 0xbc858eef67f2483a),
    (0x3fe3b68449fffc23, 0xbc841c484f9e9b26),
    (0x3fe3d9026a7156fb, 0xbc86fef670bd4b62),
    (0x3fe3fb5b84d16f42, 0x3c86d3a754172aef),
    (0x3fe41d8fe84672ae, 0x3c89192f30bd1806),
    (0x3fe43f9fe2f9ce67, 0x3c8e9c9ee6d83b86),
    (0x3fe4618bc21c5ec2, 0x3c8f42decdeccf1d),
    (0x3fe48353d1ea88df, 0x3c8cf57a2ecc07f4),
    (0x3fe4a4f85db03ebb, 0x3c313dfa3d3761b6),
    (0x3fe4c679afccee3a, 0xbc83a5c4c8b39e41),
    (0x3fe4e7d811b75bb1, 0xbc88d3d9ea6e9ea9),
    (0x3fe50913cc01686b, 0x3c82f2ce96c2d5b1),
    (0x3fe52a2d265bc5ab, 0xbc61883750ea4d0a),
    (0x3fe54b2467999498, 0xbc85baaf5d2f09f4),
    (0x3fe56bf9d5b3f399, 0x3c80471885cd8ff3),
    (0x3fe58cadb5cd7989, 0x3c7849792ec98458),
    (0x3fe5ad404c359f2d, 0xbc435955683f7196),
    (0x3fe5cdb1dc6c1765, 0xbc8cc2470e8a3df4),
    (0x3fe5ee02a9241675, 0x3c8c358257f49082),
    (0x3fe60e32f44788d9, 0xbc7ac1bb52fa589b),
    (0x3fe62e42fefa39ef, 0x3c7abc9e3b39803f),
];

const MANTISSA: u64 = (1 << 52) - 1;
const ONE: u64 = 0x3ff0_0000_0000_0000;
const MIN_POSITIVE: u64 = 0x0010_0000_0000_0000;
const INFINITY: u64 = 0x7ff0_0000_0000_0000;

/// The natural logarithm of `x` (see the module docs for the method and its accuracy).
#[inline]
pub fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    // Positive, normal and finite in one comparison; anything else is rare and left to libm.
    if bits.wrapping_sub(MIN_POSITIVE) >= INFINITY - MIN_POSITIVE {
        return x.ln();
    }
    let k = ((bits >> 52) as i64 - 1023) as f64;
    let mantissa = bits & MANTISSA;
    // round(mantissa / 2^45): 0..=128, so the bounds check below never fails.
    let i = ((mantissa + (1 << 44)) >> 45) as usize;
    let z = f64::from_bits(mantissa | ONE);
    let c = 1.0 + i as f64 * (1.0 / 128.0);
    let r = (z - c) / (z + c);
    let r2 = r * r;
    let two_r = r + r;
    let atanh = two_r + two_r * r2 * (1.0 / 3.0 + r2 * (1.0 / 5.0));
    let (hi, lo) = LN_CENTRES[i];
    let (hi, lo) = (f64::from_bits(hi), f64::from_bits(lo));
    let big = k * LN2_HI;
    let sum = big + hi;
    // Fast2Sum: exact, since `big` is 0 or at least ln 2 in magnitude, and `hi <= ln 2`.
    let rounding = (big - sum) + hi;
    sum + (rounding + (lo + k * LN2_LO) + atanh)
}

/// The natural logarithms of two positive values at once, each as [`ln`] gives it: the two
/// reductions run side by side in the vector registers. `None` when either value is not
/// positive (or is NaN): the caller that needs positive prices tests them here, in the test
/// the fast path takes anyway.
#[inline]
pub fn ln_pair(x: [f64; 2]) -> Option<[f64; 2]> {
    let bits = x.map(f64::to_bits);
    if bits
        .iter()
        .any(|b| b.wrapping_sub(MIN_POSITIVE) >= INFINITY - MIN_POSITIVE)
    {
        // Zero, negative, subnormal, infinite or NaN: rare, so the plain path.
        return (x[0] > 0.0 && x[1] > 0.0).then(|| x.map(ln));
    }
    // 2^52 + n as a double holds n in its low bits: integer to float with no conversion
    // instruction, which SSE2 lacks for 64-bit lanes.
    const TWO_52: u64 = 0x4330_0000_0000_0000;
    let mut out = [0.0; 2];
    for j in 0..2 {
        let b = bits[j];
        let k = f64::from_bits(TWO_52 | (b >> 52)) - (4_503_599_627_370_496.0 + 1023.0);
        let mantissa = b & MANTISSA;
        let i = (mantissa + (1 << 44)) >> 45;
        let z = f64::from_bits(mantissa | ONE);
        let c = f64::from_bits(ONE + (i << 45));
        let r = (z - c) / (z + c);
        let r2 = r * r;
        let two_r = r + r;
        let atanh = two_r + two_r * r2 * (1.0 / 3.0 + r2 * (1.0 / 5.0));
        let (hi, lo) = LN_CENTRES[i as usize];
        let (hi, lo) = (f64::from_bits(hi), f64::from_bits(lo));
        let big = k * LN2_HI;
        let sum = big + hi;
        let rounding = (big - sum) + hi;
        out[j] = sum + (rounding + (lo + k * LN2_LO) + atanh);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite doubles of one sign.
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        assert!(a.signum() == b.signum() || a == 0.0 || b == 0.0, "{a} {b}");
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn published_values() {
        // ln 2 and ln 10 correctly rounded (std's constants), ln 100 = 4.60517018598809136...
        // rounded to its nearest double, and ln 1 = 0 exactly.
        use std::f64::consts::{LN_2, LN_10};
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(2.0), LN_2);
        assert_eq!(ln(10.0), LN_10);
        assert_eq!(ln(100.0), 4.605_170_185_988_092);
        assert_eq!(ln(0.5), -LN_2);
    }

    #[test]
    fn the_table_is_the_logarithm_of_its_centres() {
        for (i, &(hi, lo)) in LN_CENTRES.iter().enumerate() {
            let (hi, lo) = (f64::from_bits(hi), f64::from_bits(lo));
            let c = 1.0 + i as f64 / 128.0;
            assert!(ulps(hi, c.ln()) <= 1, "centre {i}");
            assert!(
                lo.abs() <= f64::EPSILON * hi.abs() / 2.0,
                "centre {i}: lo {lo}"
            );
        }
        assert!((LN2_HI + LN2_LO - std::f64::consts::LN_2).abs() <= f64::EPSILON / 4.0);
        // 42 significant bits: k * LN2_HI is exact for every exponent of a double.
        assert_eq!(LN2_HI.to_bits() & ((1 << 11) - 1), 0);
    }

    /// A reproducible spread of inputs: xorshift bits into every binade from 2^-30 to 2^40.
    fn inputs(n: usize) -> impl Iterator<Item = f64> {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        (0..n).map(move |_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let exponent = 1023 - 30 + (s >> 58) % 71;
            f64::from_bits(exponent << 52 | (s & MANTISSA))
        })
    }

    #[test]
    fn within_one_ulp_of_the_platform_and_mostly_equal() {
        let n = 1_000_000;
        let mut equal = 0;
        for x in inputs(n) {
            let (ours, platform) = (ln(x), x.ln());
            assert!(ulps(ours, platform) <= 1, "ln({x:e}): {ours} vs {platform}");
            equal += usize::from(ours == platform);
        }
        assert!(equal as f64 >= 0.99 * n as f64, "{equal} of {n} equal");
    }

    #[test]
    fn the_pair_is_two_logarithms_to_the_bit() {
        let xs: Vec<f64> = inputs(100_000)
            .chain([1.0, 2.0, 0.0, -3.0, f64::INFINITY, 1e-310, f64::NAN, 5.0])
            .collect();
        for w in xs.windows(2) {
            let got = ln_pair([w[0], w[1]]);
            if w[0] > 0.0 && w[1] > 0.0 {
                let [a, b] = got.expect("both positive");
                assert_eq!(
                    (a.to_bits(), b.to_bits()),
                    (ln(w[0]).to_bits(), ln(w[1]).to_bits()),
                    "{w:?}"
                );
            } else {
                assert_eq!(got, None, "{w:?}");
            }
        }
    }

    #[test]
    fn near_one_nothing_cancels() {
        // ln(1 + e) = e - e^2/2 + e^3/3 to well below an ulp of the result for |e| <= 2^-20.
        for step in 1..=2_000 {
            for sign in [1.0, -1.0] {
                let e = sign * step as f64 * 2f64.powi(-31);
                let x = 1.0 + e;
                let e = x - 1.0; // what x really holds
                let expected = e - e * e / 2.0 + e * e * e / 3.0;
                let got = ln(x);
                assert!(
                    ((got - expected) / expected).abs() <= 2.0 * f64::EPSILON,
                    "ln({x}): {got} vs {expected}"
                );
            }
        }
    }

    #[test]
    fn powers_of_two_and_the_edges_of_a_binade() {
        for k in -1000..=1000 {
            let x = 2f64.powi(k);
            assert!(ulps(ln(x), x.ln()) <= 1, "2^{k}");
            let below = f64::from_bits(x.to_bits() - 1);
            assert!(ulps(ln(below), below.ln()) <= 1, "just below 2^{k}");
        }
    }

    #[test]
    fn outside_the_normal_range_it_is_the_platform_logarithm() {
        for x in [
            0.0,
            -0.0,
            -1.0,
            f64::INFINITY,
            1e-310,
            f64::MIN_POSITIVE / 4.0,
        ] {
            assert_eq!(ln(x).to_bits(), x.ln().to_bits(), "{x}");
        }
        assert!(ln(f64::NAN).is_nan());
    }
}
