enum SensorsPlaceholder {}
