import Foundation

/// Changes a signal's sample rate.
public enum Resampler {
    /// Resamples `samples` from `sourceRate` to `targetRate`. Downsampling first low-pass filters
    /// with a windowed-sinc kernel at the new Nyquist frequency, so a 44.1 kHz recording does not
    /// alias into the 16 kHz band a speech model listens to; equal rates return the input as is.
    /// With `limit`, at most that many output samples are computed (each is the same as without it).
    public static func resample(_ samples: [Float], from sourceRate: Int, to targetRate: Int, limit: Int? = nil) -> [Float] {
        guard sourceRate != targetRate, !samples.isEmpty, sourceRate > 0, targetRate > 0 else {
            guard let limit, samples.count > limit else { return samples }
            return Array(samples.prefix(max(0, limit)))
        }
        let (ratio, cutoff, halfWidth) = kernel(from: sourceRate, to: targetRate)
        var count = Int((Double(samples.count) / ratio).rounded(.down))
        if let limit { count = min(count, max(0, limit)) }
        var output = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let center = Double(index) * ratio
            let first = max(0, Int((center - halfWidth).rounded(.up)))
            let last = min(samples.count - 1, Int((center + halfWidth).rounded(.down)))
            guard first <= last else { continue }
            var sum = 0.0, weights = 0.0
            for source in first...last {
                let distance = Double(source) - center
                let weight = sinc(2 * cutoff * distance) * blackman(distance / halfWidth)
                sum += weight * Double(samples[source])
                weights += weight
            }
            output[index] = weights != 0 ? Float(sum / weights) : 0
        }
        return output
    }

    /// The ratio of the rates, the kernel's cutoff as a fraction of the source rate (the lower of
    /// the two Nyquists), and its half width in source samples (16 zero crossings each side).
    static func kernel(from sourceRate: Int, to targetRate: Int) -> (ratio: Double, cutoff: Double, halfWidth: Double) {
        let ratio = Double(sourceRate) / Double(targetRate)
        let cutoff = 0.5 * min(1, 1 / ratio)
        return (ratio, cutoff, 16.0 / (2 * cutoff))
    }

    /// The last source sample output sample `index` reads.
    static func lastSourceIndex(forOutput index: Int, from sourceRate: Int, to targetRate: Int) -> Int {
        let (ratio, _, halfWidth) = kernel(from: sourceRate, to: targetRate)
        return Int((Double(max(0, index)) * ratio + halfWidth).rounded(.down))
    }

    private static func sinc(_ x: Double) -> Double {
        x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
    }

    /// A Blackman window over [-1, 1].
    private static func blackman(_ x: Double) -> Double {
        guard abs(x) < 1 else { return 0 }
        let phase = Double.pi * (x + 1)
        return 0.42 - 0.5 * cos(phase) + 0.08 * cos(2 * phase)
    }
}
