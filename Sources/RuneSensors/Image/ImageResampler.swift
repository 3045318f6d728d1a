/// Resizes images to the size a capability declares.
public enum ImageResampler {
    /// Resizes with bilinear interpolation between pixel centres when enlarging, and averages
    /// every source pixel a destination pixel covers when shrinking (so detail is not aliased
    /// away, as a plain bilinear shrink would).
    public static func resize(_ image: RasterImage, width: Int, height: Int) -> RasterImage {
        if image.width == width, image.height == height { return image }
        var output = [UInt8](repeating: 0, count: width * height * 3)
        let scaleX = Double(image.width) / Double(width), scaleY = Double(image.height) / Double(height)
        for y in 0..<height {
            for x in 0..<width {
                var sum = (0.0, 0.0, 0.0), weight = 0.0
                func add(_ sx: Int, _ sy: Int, _ w: Double) {
                    let at = (sy * image.width + sx) * 3
                    sum.0 += w * Double(image.rgb[at])
                    sum.1 += w * Double(image.rgb[at + 1])
                    sum.2 += w * Double(image.rgb[at + 2])
                    weight += w
                }
                if scaleX > 1 || scaleY > 1 {
                    // Box filter over the covered area, with fractional edge weights.
                    let x0 = Double(x) * scaleX, x1 = x0 + scaleX, y0 = Double(y) * scaleY, y1 = y0 + scaleY
                    for sy in Int(y0)..<min(image.height, Int(y1.rounded(.up))) {
                        let wy = min(y1, Double(sy + 1)) - max(y0, Double(sy))
                        for sx in Int(x0)..<min(image.width, Int(x1.rounded(.up))) {
                            let wx = min(x1, Double(sx + 1)) - max(x0, Double(sx))
                            if wx > 0, wy > 0 { add(sx, sy, wx * wy) }
                        }
                    }
                } else {
                    let fx = max(0, (Double(x) + 0.5) * scaleX - 0.5), fy = max(0, (Double(y) + 0.5) * scaleY - 0.5)
                    let x0 = min(Int(fx), image.width - 1), y0 = min(Int(fy), image.height - 1)
                    let x1 = min(x0 + 1, image.width - 1), y1 = min(y0 + 1, image.height - 1)
                    let tx = fx - Double(x0), ty = fy - Double(y0)
                    add(x0, y0, (1 - tx) * (1 - ty))
                    add(x1, y0, tx * (1 - ty))
                    add(x0, y1, (1 - tx) * ty)
                    add(x1, y1, tx * ty)
                }
                let at = (y * width + x) * 3
                let scale = weight > 0 ? 1 / weight : 0
                output[at] = UInt8(min(255, (sum.0 * scale).rounded()))
                output[at + 1] = UInt8(min(255, (sum.1 * scale).rounded()))
                output[at + 2] = UInt8(min(255, (sum.2 * scale).rounded()))
            }
        }
        return RasterImage(width: width, height: height, rgb: output)
    }
}
