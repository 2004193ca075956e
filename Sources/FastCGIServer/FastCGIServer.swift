// FastCGIServer
