// Asio and Beast compiled once here (BOOST_*_SEPARATE_COMPILATION) instead of in every
// translation unit that includes them: the build is header-heavy on 2 cores.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
