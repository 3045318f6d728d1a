/// Decodes an image file by its signature, whatever its extension says.
public enum ImageDecoder {
    public static func decode(_ bytes: [UInt8]) throws(SensorError) -> RasterImage {
        if PNGDecoder.isPNG(bytes) { return try PNGDecoder.decode(bytes) }
        if BMPDecoder.isBMP(bytes) { return try BMPDecoder.decode(bytes) }
        if JPEGDecoder.isJPEG(bytes) { return try JPEGDecoder.decode(bytes) }
        throw SensorError("not a PNG, BMP or JPEG image")
    }
}
