from django.urls import path

from press import views

app_name = "press"

urlpatterns = [
    path("", views.ContactsView.as_view(), name="contacts"),
    path("inquiry/", views.InquiryView.as_view(), name="inquiry"),
    path("inquiry/thanks/", views.InquiryThanksView.as_view(), name="inquiry_thanks"),
]
