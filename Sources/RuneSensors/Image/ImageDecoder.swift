import RuneManifest

/// Decodes an image file by its signature, whatever its extension says.
public enum ImageDecoder {
    public static func decode(_ bytes: [UInt8]) throws(SensorError) -> RasterImage {
        if PNGDecoder.isPNG(bytes) { return try PNGDecoder.decode(bytes) }
        if BMPDecoder.isBMP(bytes) { return try BMPDecoder.decode(bytes) }
        if JPEGDecoder.isJPEG(bytes) { return try JPEGDecoder.decode(bytes) }
        throw SensorError("not a PNG, BMP or JPEG image")
    }

    /// Refuses, from the header and before any pixel is allocated, an image that is empty or
    /// over ``RuneLimits/maxImageSide`` or ``RuneLimits/maxImagePixels``.
    static func checkSize(_ format: String, width: Int, height: Int) throws(SensorError) {
        guard width > 0, height > 0 else { throw SensorError("\(format) image is \(width) x \(height), which is empty") }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard width <= RuneLimits.maxImageSide, height <= RuneLimits.maxImageSide, !overflow, pixels <= RuneLimits.maxImagePixels else {
            throw SensorError("\(format) image is \(width) x \(height), too large (the limits are \(RuneLimits.maxImageSide) pixels a side and \(RuneLimits.maxImagePixels) pixels in all)")
        }
    }
}
