#include <gtest/gtest.h>

#include "dicom/charset_japanese.h"

using atrium::dicom::decodeJapaneseIso2022;

// The byte strings are PS3.5 Annex H examples (as in pydicom's chrH31/chrH32 files).
TEST(CharsetJapanese, Ir87WithAsciiInitialState) {
  std::string raw = "Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B";
  EXPECT_EQ(decodeJapaneseIso2022(raw, {"", "ISO 2022 IR 87"}, true),
            "Yamada^Tarou=\xe5\xb1\xb1\xe7\x94\xb0^\xe5\xa4\xaa\xe9\x83\x8e="
            "\xe3\x82\x84\xe3\x81\xbe\xe3\x81\xa0^\xe3\x81\x9f\xe3\x82\x8d\xe3\x81\x86");
}

TEST(CharsetJapanese, Ir13KatakanaAndRomaji) {
  std::string raw = "\xd4\xcf\xc0\xde^\xc0\xdb\xb3=\x1b$B;3ED\x1b(J^\x1b$BB@O:\x1b(J=";
  // ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=
  EXPECT_EQ(decodeJapaneseIso2022(raw, {"ISO 2022 IR 13", "ISO 2022 IR 87"}, true),
            "\xef\xbe\x94\xef\xbe\x8f\xef\xbe\x80\xef\xbe\x9e^\xef\xbe\x80\xef\xbe\x9b\xef\xbd\xb3="
            "\xe5\xb1\xb1\xe7\x94\xb0^\xe5\xa4\xaa\xe9\x83\x8e=");
}

TEST(CharsetJapanese, UnknownBytesBecomeReplacementCharacters) {
  EXPECT_EQ(decodeJapaneseIso2022("A\x1b%zB", {"", "ISO 2022 IR 87"}, false), "A\xef\xbf\xbd%zB");
  EXPECT_EQ(decodeJapaneseIso2022("\xff", {"", "ISO 2022 IR 87"}, false), "\xef\xbf\xbd");
}
