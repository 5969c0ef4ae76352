"""Reading photographed or scanned sign-in sheets: find the page, its rows and their signatures.

Only zxing-cpp (the QR codes and their corners) and Pillow (image arithmetic in C); no numpy or
OpenCV, which would add tens of megabytes to the frozen program for a few lines saved.
"""
