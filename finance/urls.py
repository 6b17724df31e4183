from django.urls import path

from finance import boards, funding_views, views

app_name = "finance"
urlpatterns = [
    path("", views.books, name="books"),
    path("supervision/", views.supervision, name="supervision"),
    path("funding/", funding_views.funding, name="funding"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("boards/", boards.boards, name="boards"),
    path("boards/<int:pk>/", boards.board, name="board"),
    path("boards/<int:pk>/a3.pdf", boards.board_pdf, name="board_pdf"),
]
